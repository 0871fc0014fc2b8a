"""Locks are taken only inside a transaction and never waited on for long: a change that cannot get
its rows in time says "busy, try again" (503 with Retry-After), keeps what was typed, writes nothing."""

import contextlib
import datetime

import pytest
from django.db import connections, transaction
from django.urls import reverse

from delegates import locks
from delegates.models import Registration
from delegates.roles import ORGANIZERS

from .admin_forms import edition_form
from .factories import ProfileFactory, open_event, staff_member


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # no test-wide transaction around it
def test_capacity_locks_refuse_to_run_outside_a_transaction():
    event = open_event()
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        locks.lock_capacity(event)
    with transaction.atomic():
        assert locks.lock_capacity(event).pk == event.pk


@contextlib.contextmanager
def row_held_elsewhere(event):
    """Another database connection holds the edition row locked until the block ends."""
    other = connections.create_connection("default")
    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM events_event WHERE id = %s FOR UPDATE", [event.pk])
        yield
    finally:
        other.rollback()
        other.close()


def form_data(event):
    """The registration form, filled in for an online attendance."""
    return {
        "category": "government",
        "mode": "online",
        "interpretation_language": "ru",
        "dietary_needs": "Halal",
        "consent": "on",
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_submit_that_waits_past_the_lock_timeout_is_told_to_try_again(client, settings):
    settings.FORUM_LOCK_TIMEOUT_SECONDS = 0.5
    event = open_event()
    delegate = ProfileFactory().user
    client.force_login(delegate)
    url = reverse("delegates:register", args=[event.slug])

    with row_held_elsewhere(event):
        started = datetime.datetime.now(datetime.UTC)
        response = client.post(url, form_data(event))
        waited = datetime.datetime.now(datetime.UTC) - started

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Many people are registering right now. Please try again in a moment." in response.content.decode()
    assert response.context["form"]["dietary_needs"].value() == "Halal"  # nothing typed is lost
    assert Registration.objects.count() == 0
    assert waited < datetime.timedelta(seconds=5)
    # Once the row is free, the same submit goes through.
    assert client.post(url, form_data(event)).status_code == 302
    assert Registration.objects.get().user == delegate


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("accept", "content_type", "text"),
    [
        ("text/html,application/xhtml+xml", "text/html; charset=utf-8", "Busy: please try again"),
        ("application/json", "application/json", '"error": "busy"'),
    ],
)
def test_an_organizer_save_that_waits_past_the_lock_timeout_answers_503_and_changes_nothing(
    client, accept, content_type, text
):
    event = open_event(in_person_capacity=10)
    client.force_login(staff_member(ORGANIZERS))
    url = reverse("admin:events_event_change", args=[event.pk])
    data = edition_form(client, event, in_person_capacity="20")

    with row_held_elsewhere(event):  # waits the connection's lock_timeout (5 s by default)
        response = client.post(url, data, headers={"accept": accept})

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == content_type
    assert text in response.content.decode()
    event.refresh_from_db()
    assert event.in_person_capacity == 10
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert event.in_person_capacity == 20
