"""Public pages of the programme. Drafts and unknown slugs answer 404.

Heavy parts of the pages sit in template fragments cached per edition version and language;
the views hand them lazy querysets or callables, so a cached fragment costs no query."""

from functools import partial
from math import ceil

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.views.generic import TemplateView

from . import selectors
from .calendar import programme_calendar
from .filters import ExhibitFilter
from .inputs import ascii_int

EXHIBITS_PER_PAGE = 12


class PublicEventMixin:
    """Loads the published edition named by the URL and puts it in the context."""

    event_kwarg = "event_slug"

    @cached_property
    def event(self):
        return selectors.public_event(self.kwargs[self.event_kwarg])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = self.event
        context["cache_seconds"] = settings.FORUM_PAGE_CACHE_SECONDS
        return context


class EventDetailView(PublicEventMixin, TemplateView):
    """An edition's home: theme, dates, hosts, sub-forums, speakers, exhibits, documents."""

    template_name = "events/event_detail.html"
    event_kwarg = "slug"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.event_home(self.event))
        return context


class HomeView(EventDetailView):
    """The current edition, or a welcome page when none is published."""

    @cached_property
    def event(self):
        return selectors.current_event()

    def get_template_names(self):
        if self.event is None:
            return ["events/no_event.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs):
        if self.event is None:
            return TemplateView.get_context_data(self, **kwargs)
        return super().get_context_data(**kwargs)


class EventListView(TemplateView):
    """All published editions, upcoming first."""

    template_name = "events/event_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.public_events())
        return context


class ProgrammeView(PublicEventMixin, TemplateView):
    """The agenda, grouped by day in the edition's time zone."""

    template_name = "events/programme.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["days"] = partial(selectors.programme_days, self.event)
        return context


class SubForumDetailView(PublicEventMixin, TemplateView):
    """One sub-forum with its time, room, modes and speakers."""

    template_name = "events/subforum_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sub_forum = selectors.public_sub_forum(self.event, self.kwargs["slug"])
        context["sub_forum"] = sub_forum
        context["appearances"] = selectors.sub_forum_appearances(sub_forum)
        return context


class SpeakerListView(PublicEventMixin, TemplateView):
    """Speakers of the edition in protocol order."""

    template_name = "events/speaker_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["speakers"] = selectors.event_speakers(self.event)
        return context


def exhibit_choices(event) -> dict:
    """The edition's filter choices and exhibit count (selectors.exhibit_choices), cached per edition
    version and language, so a cached list page still costs no query."""
    key = f"events:exhibit-choices:{event.pk}:{event.content_version}:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = selectors.exhibit_choices(event)
        cache.set(key, choices, settings.FORUM_PAGE_CACHE_SECONDS)
    return choices


def exhibit_page(event, params, page_number, choices) -> dict:
    """One page of an edition's exhibits under the visitor's filters, with the filter form."""
    exhibit_filter = ExhibitFilter(
        params,
        queryset=selectors.event_exhibits(event),
        sectors=choices["sectors"],
        countries=choices["countries"],
    )
    paginator = Paginator(exhibit_filter.qs, EXHIBITS_PER_PAGE)
    page = paginator.get_page(page_number)
    return {
        "filter": exhibit_filter,
        "page_obj": page,
        "page_range": list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
    }


def exhibit_cache_key(params: dict, page_number: int, choices: dict) -> str:
    """The cached fragment's key for these filters, or "" when the page is not cached.

    Only what the edition offers is cached: no free text, only sectors and countries its exhibits
    have, pages up to the last of the unfiltered list. The number of entries is then bounded by the
    content, and no stream of made-up queries can fill the cache or push real pages out of it."""
    last_page = max(1, ceil(choices["count"] / EXHIBITS_PER_PAGE))
    if "q" in params or not 1 <= page_number <= last_page:
        return ""
    offered = {"sector": choices["sectors"], "country": choices["countries"]}
    for name, options in offered.items():
        if name in params and params[name] not in {value for value, _label in options}:
            return ""
    return urlencode({**params, "page": page_number})


class ExhibitListView(PublicEventMixin, TemplateView):
    """Exhibits, filtered by sector, country served and text, paginated."""

    template_name = "events/exhibit_list.html"
    params = ("q", "sector", "country")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = {name: self.request.GET[name][:200] for name in self.params if self.request.GET.get(name)}
        page = self.request.GET.get("page", "1")
        # ASCII digits only ("²" is a digit to Python), read as a number: "01" and "1" are one page.
        page_number = (ascii_int(page) if len(page) < 6 else None) or 1
        choices = exhibit_choices(self.event)
        context["filter_query"] = urlencode(params)
        context["filter_key"] = exhibit_cache_key(params, page_number, choices)
        context["results"] = partial(exhibit_page, self.event, params, page_number, choices)
        return context


class ExhibitDetailView(PublicEventMixin, TemplateView):
    """One exhibit with its exhibitor, sectors and countries served."""

    template_name = "events/exhibit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["exhibit"] = exhibit = selectors.public_exhibit(self.event, self.kwargs["slug"])
        context["sectors"] = selectors.exhibit_sectors(exhibit)
        return context


class DocumentListView(PublicEventMixin, TemplateView):
    """Outcome documents and news of the edition."""

    template_name = "events/document_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["documents"] = list(self.event.documents.all())
        return context


class DocumentDetailView(PublicEventMixin, TemplateView):
    """One document's text and file."""

    template_name = "events/document_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["document"] = selectors.public_document(self.event, self.kwargs["slug"])
        return context


def document_file(request, event_slug, slug):
    """A document's PDF as a download: never rendered at our origin, whatever the file holds."""
    document = selectors.public_document(selectors.public_event(event_slug), slug)
    if not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:  # a file lost from storage is missing, not a server error
        raise Http404 from error
    # The name comes from the slug (letters, digits, hyphens), never from the uploaded file.
    response = FileResponse(
        handle, as_attachment=True, filename=f"{document.slug}.pdf", content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def programme_ics(request, event_slug):
    """The programme as an iCalendar feed: one event per sub-forum, cached per edition version."""
    event = selectors.public_event(event_slug)
    key = f"events:ics:{event.pk}:{event.content_version}:{get_language()}"
    body = cache.get(key)
    if body is None:
        body = programme_calendar(event, selectors.calendar_sub_forums(event))
        cache.set(key, body, settings.FORUM_PAGE_CACHE_SECONDS)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-programme.ics"'
    return response
