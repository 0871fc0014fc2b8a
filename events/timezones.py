"""Pages and forms of an edition read and show times in the edition's own time zone."""

from django.utils import timezone


def respond_in_time_zone(tz, make_response):
    """Call `make_response()` and render its response while `tz` is the current time zone.

    Template responses render lazily, after the view returns; rendering them here keeps form
    values and displayed times in the edition's zone."""
    with timezone.override(tz):
        response = make_response()
        if hasattr(response, "render"):
            response.render()
        return response
