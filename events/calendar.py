"""The programme as iCalendar (RFC 5545), built with the icalendar library."""

import datetime

import icalendar
from django.conf import settings
from django.utils.translation import gettext

from .models import Event, SubForum


def sub_forum_uid(sub_forum: SubForum) -> str:
    """A UID that stays the same however often the feed is fetched or the title changes."""
    return f"sub-forum-{sub_forum.pk}@{settings.FORUM_UID_DOMAIN}"


def _sample_note(event: Event, sub_forum: SubForum) -> str:
    """What a calendar entry says when its time and room are invented, as the pages' "sample" label does."""
    if event.is_sample:
        return gettext("Sample content: this edition is demonstration data, not a real forum.")
    if sub_forum.is_sample:
        return gettext("Sample time and room, not the real programme.")
    return ""


def _vevent(event: Event, sub_forum: SubForum, stamp: datetime.datetime) -> icalendar.Event:
    """One calendar entry for a sub-forum, in the edition's time zone."""
    tz = event.tz
    entry = icalendar.Event()
    entry.add("uid", sub_forum_uid(sub_forum))
    entry.add("dtstamp", stamp)
    entry.add("summary", sub_forum.title)
    entry.add("dtstart", sub_forum.starts_at.astimezone(tz))
    entry.add("dtend", sub_forum.ends_at.astimezone(tz))
    location = ", ".join(part for part in (sub_forum.room, event.venue, event.city) if part)
    if location:
        entry.add("location", location)
    speakers = "\n".join(
        f"{appearance.get_role_display()}: {appearance.speaker.display_name}"
        + (f" ({gettext('sample')})" if appearance.is_sample else "")
        for appearance in sub_forum.appearances.all()
    )
    description = "\n\n".join(
        part for part in (sub_forum.summary, speakers, _sample_note(event, sub_forum)) if part
    )
    if description:
        entry.add("description", description)
    return entry


def programme_calendar(event: Event, sub_forums: list[SubForum]) -> bytes:
    """An iCalendar document with one VEVENT per sub-forum and the edition's VTIMEZONE."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//forum_site//programme//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", event.title)
    calendar.add("x-wr-timezone", event.time_zone)
    stamp = event.updated_at.astimezone(datetime.UTC)
    for sub_forum in sub_forums:
        calendar.add_component(_vevent(event, sub_forum, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
