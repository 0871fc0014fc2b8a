"""Background tasks (Django's tasks framework; `manage.py db_worker` runs them in production)."""

from django.tasks import task

from . import outbox


@task
def deliver_outbox() -> dict[str, int]:
    """Send the outbox messages that are due."""
    return outbox.deliver_due()
