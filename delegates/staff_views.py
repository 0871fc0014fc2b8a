"""Staff pages (/staff/...): the registrations list, its exports and saved presets.

Everything here is for Registration staff and Organizers; anyone else gets 404 (anonymous
visitors are sent to sign in). The checks are in delegates/permissions.py."""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from events.inputs import ascii_int, has_control_characters
from events.models import Event, SubForum

from . import drafts, exports, imports, protocol, services
from .badges import badge_pdf
from .filters import RegistrationFilter, filtered_registrations
from .forms import ImportUploadForm
from .models import ExportPreset, SubForumSeat
from .permissions import PermissionRequiredMixin, can_export, can_see_passports, permission_required
from .selectors import badge_holders, dashboard, desk_counts, desk_search

PAGE_SIZES = (25, 50, 100, 200)
FILTER_PARAMS = RegistrationFilter.Meta.fields


def staff_edition(slug: str) -> Event:
    """The edition named in a staff URL, drafts included (the view's permission is checked first)."""
    return get_object_or_404(Event, slug=slug)


def desk_point(event: Event, value: str) -> SubForum | None:
    """The sub-forum a desk admits to from its `point` value: None (the entrance) when empty, else one
    of the edition's sub-forums by its number; anything else (another edition's, "²", "٣") is 404."""
    if not value:
        return None
    pk = ascii_int(value)
    if pk is None:
        raise Http404
    return get_object_or_404(event.sub_forums.all(), pk=pk)


class PresetForm(forms.Form):
    """A preset's name and the list's query string it reruns (Django's fields refuse NUL)."""

    name = forms.CharField(max_length=100)
    query = forms.CharField(max_length=2000, required=False, strip=False)


class DeskSearchForm(forms.Form):
    """The desk's name search (Django's field refuses NUL)."""

    q = forms.CharField(max_length=100, required=False)


def filter_params(query) -> dict:
    """The filters of a query string (what exports, presets and audit entries record)."""
    return {name: query[name] for name in FILTER_PARAMS if query.get(name)}


class StaffView(PermissionRequiredMixin, TemplateView):
    """A staff page: sign-in, then its `permission_required` or 404; `event` is the URL's edition, read once."""

    @cached_property
    def event(self) -> Event:
        return staff_edition(self.kwargs["event_slug"])


class StaffHomeView(StaffView):
    """The editions, newest first, each with its staff pages."""

    template_name = "staff/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["events"] = Event.objects.order_by("-start_on", "-pk")
        return context


class RegistrationListView(StaffView):
    """The registrations of an edition with filters, search, sorting, pagination and exports."""

    template_name = "staff/registration_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        registration_filter = filtered_registrations(self.event, self.request.GET)
        registrations = registration_filter.qs
        seats = SubForumSeat.objects.select_related("sub_forum").order_by("sub_forum__starts_at", "pk")
        registrations = registrations.select_related("user__profile", "delegation").prefetch_related(
            Prefetch("seats", queryset=seats), "check_ins"
        )
        page_size = _page_size(self.request.GET.get("per_page"))
        page = Paginator(registrations, page_size).get_page(self.request.GET.get("page"))
        may_see_passports = can_see_passports(self.request.user)
        chosen = self.request.GET.getlist("col") or exports.DEFAULT_COLUMNS
        context.update(
            {
                "event": self.event,
                "filter": registration_filter,
                "page_obj": page,
                "page_range": list(
                    page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
                ),
                "page_sizes": PAGE_SIZES,
                "page_size": page_size,
                "filter_query": urlencode(filter_params(self.request.GET)),
                "list_query": urlencode({**filter_params(self.request.GET), "per_page": page_size}),
                "export_query": urlencode(
                    [*filter_params(self.request.GET).items(), *(("col", key) for key in chosen)]
                ),
                "columns": exports.allowed_columns(may_see_passports=may_see_passports),
                "chosen_columns": set(chosen),
                "explicit_columns": self.request.GET.getlist("col"),
                "may_export": can_export(self.request.user),
                "grouped_by_delegation": self.request.GET.get("sort") == "delegation",
                "presets": ExportPreset.objects.filter(owner=self.request.user, event=self.event),
            }
        )
        return context


def _page_size(value) -> int:
    """One of the offered page sizes (50 unless asked otherwise)."""
    return int(value) if value in {str(size) for size in PAGE_SIZES} else 50


@permission_required("export")
@require_POST
def export_registrations(request, event_slug: str, file_format: str):
    """Exactly the filtered list as CSV (streamed) or XLSX (constant memory), audited.

    A POST (the list's form, or a preset's): an export writes an audit entry and may be large, so
    a link, a prefetch or a crawler never makes one. Invalid filters export nothing."""
    event = staff_edition(event_slug)
    params = _posted_list(request, event)
    registration_filter = filtered_registrations(event, params)
    if not registration_filter.is_valid():
        return _invalid_filters(request, event, params, _("Nothing was exported: correct the filters below."))
    columns = exports.chosen_columns(
        params.getlist("col") or exports.DEFAULT_COLUMNS,
        may_see_passports=can_see_passports(request.user),
    )
    return exports.export_response(
        actor=request.user,
        event=event,
        queryset=registration_filter.qs,
        columns=columns,
        file_format=file_format,
        filters=filter_params(params),
    )


def _posted_list(request, event: Event) -> QueryDict:
    """The filters and columns of an export or badge sheet: the form's fields, or one of my presets."""
    preset = request.POST.get("preset", "")
    if not preset:
        return request.POST
    preset_id = ascii_int(preset)
    if preset_id is None:
        raise Http404
    return QueryDict(get_object_or_404(ExportPreset, pk=preset_id, owner=request.user, event=event).query)


def _invalid_filters(request, event: Event, params: QueryDict, message: str) -> HttpResponseRedirect:
    """Back to the list with the same filters, where the form says what is wrong; before any byte of a file."""
    messages.error(request, message)
    query = urlencode([*filter_params(params).items(), *(("col", key) for key in params.getlist("col"))])
    return HttpResponseRedirect(f"{reverse('staff:registrations', args=[event.slug])}?{query}")


@permission_required("staff_area")
@require_POST
def save_preset(request, event_slug: str):
    """Save the current filters and columns under a name, for this staff member only."""
    event = staff_edition(event_slug)
    form = PresetForm(
        {"name": request.POST.get("name", "").strip()[:100], "query": request.POST.get("query", "")[:2000]}
    )
    list_url = reverse("staff:registrations", args=[event.slug])
    if not form.is_valid():
        _say_preset_errors(request, form)
        query = "" if "query" in form.errors else form.cleaned_data["query"]
        return HttpResponseRedirect(f"{list_url}?{query}")
    name, query = form.cleaned_data["name"], form.cleaned_data["query"]
    ExportPreset.objects.update_or_create(
        owner=request.user, event=event, name=name, defaults={"query": query}
    )
    messages.success(request, _("Preset “%(name)s” saved.") % {"name": name})
    return HttpResponseRedirect(f"{list_url}?{query}")


def _say_preset_errors(request, form: PresetForm) -> None:
    """Why the preset was not saved: no name, or a value Django's fields refuse (a NUL)."""
    for name, errors in form.errors.items():
        if name == "name" and not form.data["name"]:
            messages.error(request, _("Give the preset a name."))
            continue
        for error in errors:
            messages.error(request, error)


@permission_required("staff_area")
@require_POST
def delete_preset(request, event_slug: str, pk: int):
    """Delete one of my presets (someone else's is 404)."""
    event = staff_edition(event_slug)
    preset = get_object_or_404(ExportPreset, pk=pk, owner=request.user, event=event)
    preset.delete()
    messages.success(request, _("Preset deleted."))
    return redirect("staff:registrations", event.slug)


@permission_required("staff_area")
@require_POST
def print_badges(request, event_slug: str):
    """A printable sheet of badges for the approved in-person delegates of the filtered list (a POST:
    it is audited and renders a large PDF)."""
    event = staff_edition(event_slug)
    params = _posted_list(request, event)
    registration_filter = filtered_registrations(event, params)
    if not registration_filter.is_valid():
        return _invalid_filters(
            request, event, params, _("No badges were printed: correct the filters below.")
        )
    holders = list(badge_holders(registration_filter.qs))
    services.record_badges_printed(
        event=event, actor=request.user, count=len(holders), filters=filter_params(params)
    )
    return HttpResponse(
        badge_pdf(event, holders),
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{event.slug}-badges.pdf"'},
    )


class CheckInDeskView(StaffView):
    """The door: scan a badge (camera or handheld scanner) or search a name, and admit once."""

    template_name = "staff/check_in.html"
    permission_required = "check_in"

    @cached_property
    def sub_forum(self):
        """The sub-forum this desk admits to; None at the venue entrance."""
        return desk_point(self.event, self.request.GET.get("point") or self.request.POST.get("point") or "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.desk_query()
        context.update(
            {
                "event": self.event,
                "sub_forum": self.sub_forum,
                "sub_forums": self.event.sub_forums.all(),
                "counts": desk_counts(self.event, self.sub_forum),
                "query": query,
                "results": desk_search(self.event, query) if query else [],
            }
        )
        return context

    def desk_query(self) -> str:
        """The name searched for; a refused one (a NUL) is said and searched for as nothing."""
        form = DeskSearchForm({"q": self.request.GET.get("q", "")[:100]})
        if form.is_valid():
            return form.cleaned_data["q"]
        for error in form.errors["q"]:
            messages.error(self.request, error)
        return ""

    def post(self, request, *args, **kwargs):
        token = request.POST.get("token", "")[:100]
        registration_id = ascii_int(request.POST.get("registration", ""))
        if has_control_characters(token):  # no badge carries one (and PostgreSQL refuses NUL)
            token, registration_id = "", None
        outcome = services.check_in(
            event=self.event,
            actor=request.user,
            token=token,
            registration_id=registration_id,
            sub_forum=self.sub_forum,
        )
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse(
                {**_outcome_json(outcome), "counts": desk_counts(self.event, self.sub_forum)},
                status=200,
            )
        return self.render_to_response(
            self.get_context_data(outcome=outcome, verdict=outcome_verdict(outcome))
        )


def outcome_verdict(outcome) -> str:
    """The desk's verdict, said once: "Admitted." alone, or "Refused" with the reason."""
    if outcome.admitted or outcome.code == "already":  # the message says it all
        return str(outcome.message)
    return _("Refused: %(reason)s") % {"reason": outcome.message}


def _outcome_json(outcome) -> dict:
    """What the desk's script shows: the verdict and the person (no email, no passport)."""
    data = {
        "admitted": outcome.admitted,
        "code": outcome.code,
        "message": str(outcome.message),
        "verdict": outcome_verdict(outcome),
        "person": None,
    }
    registration = outcome.registration
    if registration is not None:
        profile = getattr(registration.user, "profile", None)
        data["person"] = {
            "name_latin": profile.name_latin if profile else "",
            "name_native": profile.name_native if profile else "",
            "organization": profile.organization if profile else "",
            "country": str(profile.country.name) if profile else "",
            "category": str(registration.get_category_display()),
            "status": str(registration.get_status_display()),
            "delegation": registration.delegation.name if registration.delegation else "",
            # Labelled, as the country beside it may read the same ("Kazakhstan · Kazakhstan").
            "delegation_line": (
                _("Delegation: %(name)s") % {"name": registration.delegation.name}
                if registration.delegation
                else ""
            ),
        }
    return data


@permission_required("check_in")
def desk_counts_json(request, event_slug: str):
    """The desk's live counts."""
    event = staff_edition(event_slug)
    return JsonResponse(desk_counts(event, desk_point(event, request.GET.get("point", ""))))


class DashboardView(StaffView):
    """The edition's figures at a glance, as tables with bars."""

    template_name = "staff/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        wanted = self.request.GET.get("delegation", "")
        figures = dashboard(self.event, delegation_id=ascii_int(wanted) if wanted else None)
        if wanted and figures["delegation"] is None:
            raise Http404  # not a delegation of this edition
        context.update({"event": self.event, **figures})
        return context


class ProtocolListView(StaffView):
    """The delegations in protocol order with their members, and the protocol list's downloads."""

    template_name = "staff/protocol.html"
    permission_required = "export"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "event": self.event,
                "entries": protocol.protocol_list(self.event),
                "header": protocol.member_header(),
            }
        )
        return context


@permission_required("export")
@require_POST
def protocol_file(request, event_slug: str, file_format: str):
    """The protocol list as XLSX or PDF in the reader's language; audited like every export (so a POST)."""
    event = staff_edition(event_slug)
    entries = protocol.protocol_list(event)
    services.record_export(
        event=event,
        actor=request.user,
        file_format=file_format,
        filters={"list": "protocol"},
        columns=protocol.COLUMN_KEYS,
        rows=protocol.member_count(entries),
    )
    filename = f"{event.slug}-protocol.{file_format}"
    if file_format == "pdf":
        return HttpResponse(
            protocol.protocol_pdf(event, entries),
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
    return FileResponse(
        protocol.protocol_xlsx(event, entries),
        as_attachment=True,
        filename=filename,
        content_type=protocol.XLSX_CONTENT_TYPE,
    )


IMPORT_SESSION_KEY = drafts.IMPORT_PREVIEW


class ImportView(StaffView):
    """Upload a delegation list, see every row's errors, drop rows, then confirm."""

    template_name = "staff/import.html"
    permission_required = "import"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = self.event
        context["header"] = imports.HEADER
        context["accepted_codes"] = imports.accepted_codes(self.event)
        context["delegation_lines"] = imports.delegation_summary(kwargs.get("rows") or [])
        return context

    def post(self, request, *args, **kwargs):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = ImportUploadForm(files=request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(file_error=" ".join(form.errors["file"])))
        try:
            raw_rows = imports.read_table(form.cleaned_data["file"])
        except imports.ImportFileError as error:
            return self.render_to_response(self.get_context_data(file_error=str(error)))
        create = "create_delegations" in request.POST
        request.session[IMPORT_SESSION_KEY] = {
            "event": self.event.pk,
            "rows": imports.stashed(raw_rows),
            "create_delegations": create,
        }
        rows = imports.check_rows(self.event, raw_rows, create_delegations=create)
        return self.render_to_response(self.get_context_data(rows=rows, create_delegations=create))

    def confirm(self, request):
        """Import the previewed rows that were not dropped; nothing at all if one has errors."""
        stored = request.session.get(IMPORT_SESSION_KEY)
        raw_rows = imports.unstashed(stored["rows"]) if stored else None
        if raw_rows is None or stored["event"] != self.event.pk:
            messages.error(request, _("Upload the file again: the preview has expired."))
            return redirect("staff:import", self.event.slug)
        dropped = {ascii_int(number) for number in request.POST.getlist("drop")} - {None}
        create = stored.get("create_delegations", False)
        checked = imports.check_rows(self.event, raw_rows, create_delegations=create)
        rows = [row for row in checked if row.number not in dropped]
        try:
            done = imports.import_rows(event=self.event, rows=rows, actor=request.user)
        except imports.ImportFileError as error:
            kept = [row.values for row in rows]
            rows = imports.check_rows(self.event, kept, create_delegations=create)
            return self.render_to_response(
                self.get_context_data(rows=rows, create_delegations=create, file_error=str(error))
            )
        del request.session[IMPORT_SESSION_KEY]
        messages.success(
            request,
            _(
                "Imported: %(created)d new accounts, %(registered)d existing accounts registered, %(skipped)d already registered."
            )
            % done,
        )
        return redirect("staff:registrations", self.event.slug)


@permission_required("import")
def import_template(request, event_slug: str):
    """The CSV template of a delegation list, with one example row."""
    staff_edition(event_slug)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(imports.HEADER)
    writer.writerow(imports.EXAMPLE)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="delegation-template.csv"'
    return response
