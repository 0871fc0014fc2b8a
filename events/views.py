"""Public pages of the programme. Drafts and unknown slugs answer 404."""

from functools import partial

from django.conf import settings
from django.http import HttpResponse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from django_filters.views import FilterView

from . import selectors
from .cache import content_version
from .calendar import programme_calendar
from .filters import ExhibitFilter


class PublicEventMixin:
    """Loads the published edition named by the URL and puts it in the context."""

    event_kwarg = "event_slug"

    @cached_property
    def event(self):
        return selectors.public_event(self.kwargs[self.event_kwarg])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = self.event
        context["cache_version"] = content_version()
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
        # Called by the template only when its cached fragment is missing.
        context["days"] = partial(selectors.programme_days, self.event)
        return context


class SubForumDetailView(PublicEventMixin, TemplateView):
    """One sub-forum with its time, room, modes and speakers."""

    template_name = "events/subforum_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sub_forum"] = selectors.public_sub_forum(self.event, self.kwargs["slug"])
        return context


class SpeakerListView(PublicEventMixin, TemplateView):
    """Speakers of the edition in protocol order."""

    template_name = "events/speaker_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["speakers"] = selectors.event_speakers(self.event)
        return context


class ExhibitListView(PublicEventMixin, FilterView):
    """Exhibits, filtered by sector, country served and text, paginated."""

    template_name = "events/exhibit_list.html"
    filterset_class = ExhibitFilter
    paginate_by = 12
    context_object_name = "exhibits"

    def get_queryset(self):
        return selectors.event_exhibits(self.event)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["event"] = self.event
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["filter_query"] = query.urlencode()
        return context


class ExhibitDetailView(PublicEventMixin, TemplateView):
    """One exhibit with its exhibitor, sectors and countries served."""

    template_name = "events/exhibit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["exhibit"] = selectors.public_exhibit(self.event, self.kwargs["slug"])
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


def programme_ics(request, event_slug):
    """The programme as an iCalendar feed: one event per sub-forum."""
    event = selectors.public_event(event_slug)
    body = programme_calendar(event, selectors.calendar_sub_forums(event))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-programme.ics"'
    return response
