"""Any change to the programme invalidates the cached public fragments."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from . import models
from .cache import bump_content_version

for model in (
    models.Organization,
    models.Event,
    models.EventRole,
    models.SubForum,
    models.Speaker,
    models.Appearance,
    models.Sector,
    models.Exhibit,
    models.Document,
):
    post_save.connect(bump_content_version, sender=model, dispatch_uid=f"bump-save-{model.__name__}")
    post_delete.connect(bump_content_version, sender=model, dispatch_uid=f"bump-delete-{model.__name__}")
m2m_changed.connect(bump_content_version, sender=models.Exhibit.sectors.through, dispatch_uid="bump-sectors")
