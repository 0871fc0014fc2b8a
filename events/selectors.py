"""Page-shaped reads of the programme, each with the joins its page needs."""

import operator
from functools import reduce
from itertools import groupby

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django_countries import countries

from .models import Appearance, Document, Event, Exhibit, Sector, Speaker, SubForum
from .translation import in_every_language, localized

FEATURED_SPEAKERS = 6
FEATURED_EXHIBITS = 3
MAX_SEARCH_WORDS = 8


def public_event(slug: str) -> Event:
    """The published or archived edition with this slug, else 404."""
    return get_object_or_404(Event.objects.published(), slug=slug)


def current_event() -> Event | None:
    """The edition the home page leads with."""
    return Event.objects.current()


# What a list of editions shows: the long texts in three languages are left in the database.
EVENT_LIST_FIELDS = [
    "slug",
    "edition_number",
    "is_sample",
    "start_on",
    "end_on",
    *in_every_language("series_name", "theme", "city", "venue"),
]


def public_events() -> dict[str, list[Event]]:
    """Published editions split into upcoming and past."""
    published = Event.objects.published().only(*EVENT_LIST_FIELDS)
    return {"upcoming": list(published.upcoming()), "past": list(published.past())}


def _appearances() -> Prefetch:
    """Appearances with their speaker and the speaker's organization, in one query."""
    return Prefetch(
        "appearances",
        queryset=Appearance.objects.select_related("speaker__organization"),
    )


def event_home(event: Event) -> dict:
    """Everything the edition home page shows, as lazy querysets that a cached fragment may skip."""
    return {
        "roles": event.roles.select_related("organization"),
        "sub_forums": event.sub_forums.all(),
        "featured_speakers": event_speakers(event)[:FEATURED_SPEAKERS],
        "featured_exhibits": featured_exhibits(event),
        "documents": event.documents.all(),
    }


def featured_exhibits(event: Event) -> QuerySet[Exhibit]:
    """The few exhibits the edition home shows, with their exhibitor."""
    return (
        event.exhibits.filter(is_featured=True)
        .select_related("exhibitor")
        .order_by(localized("title"), "pk")[:FEATURED_EXHIBITS]
    )


def programme_days(event: Event) -> list[tuple]:
    """Sub-forums grouped by their day in the edition's time zone, with speakers."""
    sub_forums = event.sub_forums.prefetch_related(_appearances())
    tz = event.tz
    return [
        (day, list(items))
        for day, items in groupby(sub_forums, key=lambda sub_forum: sub_forum.starts_at.astimezone(tz).date())
    ]


def public_sub_forum(event: Event, slug: str) -> SubForum:
    """A sub-forum looked up through its edition."""
    return get_object_or_404(event.sub_forums.all(), slug=slug)


def sub_forum_appearances(sub_forum: SubForum) -> QuerySet[Appearance]:
    """The speakers of one sub-forum with their organizations (lazy, for a cached fragment)."""
    return sub_forum.appearances.select_related("speaker__organization")


def event_speakers(event: Event) -> QuerySet[Speaker]:
    """Speakers of an edition in protocol order, with their roles in it."""
    appearances = Appearance.objects.filter(sub_forum__event=event).select_related("sub_forum")
    return (
        Speaker.objects.filter(appearances__sub_forum__event=event)
        .distinct()
        .select_related("organization")
        .prefetch_related(Prefetch("appearances", queryset=appearances, to_attr="event_appearances"))
        .order_by("protocol_rank", "name_latin", "pk")
    )


def event_exhibits(event: Event) -> QuerySet[Exhibit]:
    """Exhibits of an edition with exhibitor and sectors, featured first, by title as the reader sees it."""
    return (
        event.exhibits.select_related("exhibitor")
        .prefetch_related(sectors_in_order())
        .order_by("-is_featured", localized("title"), "pk")
    )


def sectors_in_order() -> Prefetch:
    """An exhibit's sectors by their name as the reader sees it (English where untranslated)."""
    return Prefetch("sectors", queryset=Sector.objects.order_by(localized("name"), "pk"))


def exhibit_choices(event: Event) -> dict:
    """The sectors and countries served the edition's exhibits offer, as (value, label) choices in
    the reader's language, and how many exhibits it has."""
    sectors = sorted(
        Sector.objects.filter(exhibits__event=event).distinct().values_list("slug", "name"),
        key=lambda choice: choice[1],
    )
    served = set()
    exhibit_countries = list(event.exhibits.values_list("countries_served", flat=True))
    for codes in exhibit_countries:
        served.update(code for code in codes.split(",") if code)
    return {
        "sectors": sectors,
        "countries": sorted(((code, str(countries.name(code))) for code in served), key=lambda c: c[1]),
        "count": len(exhibit_countries),
    }


def search_exhibits(queryset: QuerySet[Exhibit], text: str) -> QuerySet[Exhibit]:
    """Exhibits whose title, summary, description or exhibitor mention each word, in any language."""
    fields = in_every_language("title", "summary", "description", "exhibitor__name", "exhibitor__short_name")
    query = Q()
    for word in text.split()[:MAX_SEARCH_WORDS]:
        query &= reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields))
    return queryset.filter(query)


def public_exhibit(event: Event, slug: str) -> Exhibit:
    """An exhibit looked up through its edition, with its exhibitor."""
    return get_object_or_404(event.exhibits.select_related("exhibitor"), slug=slug)


def exhibit_sectors(exhibit: Exhibit) -> QuerySet[Sector]:
    """An exhibit's sectors by the name the reader sees; lazy, so a cached page never runs it."""
    return exhibit.sectors.order_by(localized("name"), "pk")


def public_document(event: Event, slug: str) -> Document:
    """A document looked up through its edition."""
    return get_object_or_404(event.documents.all(), slug=slug)


def calendar_sub_forums(event: Event) -> list[SubForum]:
    """The sub-forums a calendar feed lists, with their speakers."""
    return list(event.sub_forums.prefetch_related(_appearances()))
