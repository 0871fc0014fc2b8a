"""Admin forms filled in as an organizer sends them back, for tests that save through the admin."""

from django.urls import reverse


def edition_form(client, event, **changes):
    """The admin's change form of an edition, as an organizer would send it back, with changes."""
    form = client.get(reverse("admin:events_event_change", args=[event.pk])).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "start_on": event.start_on.isoformat(),
            "end_on": event.end_on.isoformat(),
            "registration_opens_at_0": "",
            "registration_opens_at_1": "",
            "registration_closes_at_0": "",
            "registration_closes_at_1": "",
            "online_capacity": "",
            "requires_approval": "on",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "sub_forums-TOTAL_FORMS": "0",
            "sub_forums-INITIAL_FORMS": "0",
            **changes,
        }
    )
    data.pop("organizations", None)
    return data
