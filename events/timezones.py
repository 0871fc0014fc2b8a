"""Pages and forms of an edition read and show times in the edition's own time zone."""

import datetime
import zoneinfo

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


def zone_label(time_zone: str, moment: datetime.datetime) -> str:
    """The zone's name and its offset from UTC at `moment`: "Asia/Shanghai, UTC+8", "Asia/Kolkata, UTC+5:30"."""
    offset = moment.astimezone(zoneinfo.ZoneInfo(time_zone)).utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"{time_zone}, UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
