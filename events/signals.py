"""Any change to the programme moves its editions' `updated_at`, which keys the cached fragments.

Keying on a column of the edition row, which every page loads anyway, keeps cached fragments
correct across processes even with a per-process cache."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from . import models


def touch_event(sender, instance, **kwargs):
    """A change inside one edition (sub-forum, exhibit, document...) refreshes that edition."""
    models.Event.objects.filter(pk=instance.event_id).update(updated_at=timezone.now())


def touch_appearance_event(sender, instance, **kwargs):
    """A speaker's role changed: refresh the edition of the sub-forum."""
    models.Event.objects.filter(sub_forums__pk=instance.sub_forum_id).update(updated_at=timezone.now())


def touch_all_events(sender, **kwargs):
    """Organizations, speakers and sectors are shared between editions: refresh them all."""
    models.Event.objects.update(updated_at=timezone.now())


def touch_exhibit_event(sender, instance, action, reverse, **kwargs):
    """An exhibit's sectors changed."""
    if not action.startswith("post_"):
        return
    if reverse:
        touch_all_events(sender)
    else:
        touch_event(sender, instance)


RECEIVERS = [
    (touch_event, [models.EventRole, models.SubForum, models.Exhibit, models.Document]),
    (touch_appearance_event, [models.Appearance]),
    (touch_all_events, [models.Organization, models.Speaker, models.Sector]),
]

for receiver, senders in RECEIVERS:
    for model in senders:
        post_save.connect(receiver, sender=model, dispatch_uid=f"touch-save-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"touch-delete-{model.__name__}")
m2m_changed.connect(touch_exhibit_event, sender=models.Exhibit.sectors.through, dispatch_uid="touch-sectors")
