"""Writes to the programme: cloning an edition."""

import datetime

from django.db import transaction
from django.dispatch import Signal
from django.utils.text import slugify

from .models import Appearance, Event

# Sent inside clone_event's transaction with `source` and `clone`: apps that hang records on an
# edition (the delegates app's delegations) copy theirs, since the programme may not import them.
event_cloned = Signal()


def _free_slug(base: str) -> str:
    """A slug no edition uses yet, built from `base`."""
    slug = base
    counter = 2
    while Event.objects.filter(slug=slug).exists():
        slug = f"{base}-{counter}"
        counter += 1
    return slug


def _shift(value: datetime.datetime | None, delta: datetime.timedelta, tz) -> datetime.datetime | None:
    """Move a moment by whole days in the edition's time zone, keeping its local time of day."""
    if value is None:
        return None
    local = value.astimezone(tz)
    return (local.replace(tzinfo=None) + delta).replace(tzinfo=tz)


@transaction.atomic
def clone_event(
    *,
    source: Event,
    start_on: datetime.date,
    edition_number: int | None = None,
    slug: str | None = None,
    is_sample: bool | None = None,
) -> Event:
    """Copy an edition, its hosts, sub-forums, appearances and exhibits into a draft moved to `start_on`."""
    delta = start_on - source.start_on
    tz = source.tz
    number = edition_number or source.edition_number + 1
    clone = Event.objects.get(pk=source.pk)
    clone.pk = None
    clone.edition_number = number
    clone.slug = slug or _free_slug(slugify(f"{number}-{source.series_name_en or source.series_name}")[:90])
    clone.status = Event.Status.DRAFT
    clone.start_on = source.start_on + delta
    clone.end_on = source.end_on + delta
    clone.registration_opens_at = _shift(source.registration_opens_at, delta, tz)
    clone.registration_closes_at = _shift(source.registration_closes_at, delta, tz)
    if is_sample is not None:
        clone.is_sample = is_sample
    clone.full_clean()
    clone.save()
    for role in source.roles.all():
        clone.roles.create(organization_id=role.organization_id, role=role.role, order=role.order)
    _clone_sub_forums(source, clone, delta, tz)
    _clone_exhibits(source, clone)
    event_cloned.send(sender=Event, source=source, clone=clone)
    return clone


def _clone_sub_forums(source: Event, clone: Event, delta: datetime.timedelta, tz) -> None:
    """Copy sub-forums with shifted times and their speakers' appearances."""
    for sub_forum in source.sub_forums.prefetch_related("appearances"):
        appearances = list(sub_forum.appearances.all())
        sub_forum.pk = None
        sub_forum.event = clone
        sub_forum.starts_at = _shift(sub_forum.starts_at, delta, tz)
        sub_forum.ends_at = _shift(sub_forum.ends_at, delta, tz)
        sub_forum.stream_url = ""  # each edition gets its own private stream links
        sub_forum.save()
        Appearance.objects.bulk_create(
            Appearance(
                sub_forum=sub_forum,
                speaker_id=a.speaker_id,
                role=a.role,
                order=a.order,
                is_sample=a.is_sample,
            )
            for a in appearances
        )


def _clone_exhibits(source: Event, clone: Event) -> None:
    """Copy exhibits with their sectors and countries served."""
    for exhibit in source.exhibits.prefetch_related("sectors"):
        sectors = list(exhibit.sectors.all())
        exhibit.pk = None
        exhibit.event = clone
        exhibit.save()
        exhibit.sectors.set(sectors)
