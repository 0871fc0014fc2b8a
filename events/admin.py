"""The organizers' admin for the programme."""

import datetime
import operator
from functools import reduce

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify, smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .forms import (
    CloneEventForm,
    DocumentAdminForm,
    EventAdminForm,
    ExhibitAdminForm,
    SpeakerAdminForm,
)
from .inputs import ascii_int, has_control_characters
from .models import (
    SERIES_NAME,
    Appearance,
    Document,
    Event,
    EventRole,
    Exhibit,
    Organization,
    Sector,
    Speaker,
    SubForum,
    ordinal,
)
from .services import clone_event
from .text import apply_plain_text_rule
from .timezones import respond_in_time_zone
from .translation import in_every_language
from .typography import nest_quotes


class KeyCheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, which looks up only the submitted values that can be keys.

    Django's own passes whatever was posted to `pk__in` when it shows a refused form again, and a
    value like "abc" then fails in the query (a 500) instead of in the form (a message)."""

    def optgroups(self, name, value, attr=None):
        key = self.field.remote_field.model._meta.get_field(self.field.remote_field.field_name)
        return super().optgroups(name, [item for item in value if _can_be_key(key, item)], attr)


def _can_be_key(key, value) -> bool:
    """Whether a posted value can be looked up as this key (an integer key takes ASCII digits only)."""
    if isinstance(key, models.IntegerField):
        return ascii_int(str(value)) is not None
    try:
        key.get_prep_value(key.to_python(value))
    except (ValidationError, ValueError, TypeError):
        return False
    return not has_control_characters(str(value))


class SafeInputAdminMixin:
    """What every admin of the project does with bad input: a list's filter or search value with a
    control character (NUL breaks PostgreSQL) is the admin's "invalid lookup" (a redirect to `?e=1`),
    and autocomplete fields show a refused form again without looking up what cannot be a key.
    Every text field follows the plain-text rule (events/text.py), as on the site's own forms."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The model's form field, refusing invisible characters when it takes text."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            apply_plain_text_rule(field)
        return field

    def get_changelist_instance(self, request):
        """Refuse control characters in any name or value of the list's query string."""
        for name, values in request.GET.lists():
            if any(has_control_characters(text) for text in (name, *values)):
                raise IncorrectLookupParameters("a control character in the query string")
        return super().get_changelist_instance(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Autocomplete fields use the widget that checks keys before looking them up."""
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EditionTimeZoneMixin:
    """Change forms read and show times in the edition's own time zone, not in UTC."""

    def edition_for(self, object_id):
        """The edition whose time zone applies to this change form."""
        raise NotImplementedError

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Run the whole form (parsing, validation, display) in the edition's time zone."""
        edition = self.edition_for(object_id) if object_id else None
        return respond_in_time_zone(
            edition.tz if edition else DEFAULT_EDITION_TZ,
            lambda: super(EditionTimeZoneMixin, self).changeform_view(
                request, object_id, form_url, extra_context
            ),
        )


DEFAULT_EDITION_TZ = "Asia/Shanghai"


class EventRoleInline(SafeInputAdminMixin, admin.TabularInline):
    model = EventRole
    extra = 0
    autocomplete_fields = ["organization"]


class SubForumInline(SafeInputAdminMixin, TranslationTabularInline):
    model = SubForum
    extra = 0
    fields = [
        "order",
        "kind",
        "title",
        "slug",
        "starts_at",
        "ends_at",
        "room",
        "modes",
        "in_person_capacity",
        "is_sample",
    ]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True


@admin.register(Event)
class EventAdmin(SafeInputAdminMixin, EditionTimeZoneMixin, TranslationAdmin):
    form = EventAdminForm
    list_display = ["title", "theme", "city", "start_on", "end_on", "status", "is_sample"]
    list_filter = ["status", "is_sample", "country", "requires_approval"]
    search_fields = [*in_every_language("series_name", "theme", "city", "venue"), "slug"]
    date_hierarchy = "start_on"
    prepopulated_fields = {"slug": ["series_name", "edition_number"]}
    inlines = [EventRoleInline, SubForumInline]
    actions = ["clone_selected"]
    save_on_top = True
    fieldsets = [
        (None, {"fields": ["series_name", "edition_number", "slug", "status", "is_sample"]}),
        (_("Content"), {"fields": ["theme", "summary", "description"]}),
        (_("When and where"), {"fields": ["start_on", "end_on", "time_zone", "city", "venue", "country"]}),
        (
            _("Registration"),
            {
                "fields": [
                    "access",
                    "registration_opens_at",
                    "registration_closes_at",
                    "requires_approval",
                    "in_person_capacity",
                    "online_capacity",
                    "travel_days_before",
                    "travel_days_after",
                ]
            },
        ),
        (
            _("Retention of personal data"),
            {
                "fields": ["passport_retention_days", "personal_data_retention_days"],
                "description": _(
                    "Counted from the edition's last day; the daily purge then blanks or anonymises the data."
                ),
            },
        ),
        (
            _("Contacts"),
            {
                "fields": [
                    "contact_email",
                    "contact_phone",
                    "media_contact_name",
                    "media_contact_organization",
                    "media_contact_email",
                    "media_contact_website",
                ]
            },
        ),
    ]

    def get_changeform_initial_data(self, request):
        """A new edition belongs to the forum's series unless the organizer says otherwise."""
        return {"series_name_en": SERIES_NAME, **super().get_changeform_initial_data(request)}

    def edition_for(self, object_id):
        """The edition itself."""
        return Event.objects.filter(pk=object_id).first()

    @admin.action(description=_("Clone the selected edition into a new draft"), permissions=["add"])
    def clone_selected(self, request, queryset):
        """Ask for the new start date, then copy the edition with its programme."""
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one edition to clone."), messages.ERROR)
            return None
        source = queryset.get()
        form = CloneEventForm(
            request.POST if "apply" in request.POST else None, initial=_clone_initial(source)
        )
        if form.is_valid():
            try:
                clone = clone_event(source=source, **form.cleaned_data)
            except IntegrityError:  # another organizer took the slug a moment ago
                self.message_user(request, _("An edition with this slug already exists."), messages.ERROR)
                return None
            except ValidationError as error:  # the copy breaks a rule of the edition: say which
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return None
            self.log_addition(request, clone, [{"added": {"name": "clone", "object": str(source)}}])
            self.message_user(
                request,
                nest_quotes(
                    _("Created the draft “%(clone)s” from “%(source)s”.") % {"clone": clone, "source": source}
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:events_event_change", args=[clone.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Clone an edition"),
            "opts": self.model._meta,
            "source": source,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/events/event/clone.html", context)


def _clone_initial(source: Event) -> dict:
    """Suggest the next edition one year later with a fresh slug."""
    number = source.edition_number + 1
    start = source.start_on + datetime.timedelta(days=364)
    slug = slugify(f"{ordinal(number)}-{(source.city_en or source.city).split(',')[0]}-{start.year}")
    return {"start_on": start, "edition_number": number, "slug": slug}


def every_word_in_one_of(fields: list[str], search_term: str) -> Q:
    """Each word of a search (a quoted phrase is one word) in one of the fields, as the admin reads searches."""
    query = Q()
    for word in smart_split(search_term):
        if word.startswith(('"', "'")) and word[0] == word[-1]:
            word = unescape_string_literal(word)
        query &= reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields))
    return query


class AppearanceInline(SafeInputAdminMixin, admin.TabularInline):
    model = Appearance
    extra = 0
    autocomplete_fields = ["speaker"]


@admin.register(SubForum)
class SubForumAdmin(SafeInputAdminMixin, EditionTimeZoneMixin, TranslationAdmin):
    list_display = ["title", "event", "kind", "local_start", "room", "modes", "in_person_capacity"]
    list_filter = ["event", "kind", "modes"]
    list_select_related = ["event"]
    search_fields = in_every_language("title", "summary", "room")
    # Every sub-forum of an edition shares its theme: searched only when no sub-forum's own words match,
    # so that "Green Development Forum" finds that one and not the edition's "Women's Development Forum".
    edition_search_fields = in_every_language("event__theme")
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["event"]
    inlines = [AppearanceInline]

    def get_search_results(self, request, queryset, search_term):
        """The sub-forums whose own title, summary or room match; else, those whose edition's theme does."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not search_term.strip() or results.exists():
            return results, may_have_duplicates
        fields = [*self.get_search_fields(request), *self.edition_search_fields]
        return queryset.filter(every_word_in_one_of(fields, search_term)), may_have_duplicates

    def edition_for(self, object_id):
        """The sub-forum's edition."""
        return Event.objects.filter(sub_forums__pk=object_id).first()

    @admin.display(description=_("starts"), ordering="starts_at")
    def local_start(self, sub_forum):
        """When it starts, in the edition's own time zone, as its change form shows it."""
        return date_format(timezone.localtime(sub_forum.starts_at, sub_forum.event.tz), "DATETIME_FORMAT")


@admin.register(Organization)
class OrganizationAdmin(SafeInputAdminMixin, TranslationAdmin):
    list_display = ["name", "short_name", "kind", "country"]
    list_filter = ["kind", "country"]
    search_fields = in_every_language("name", "short_name")


@admin.register(Speaker)
class SpeakerAdmin(SafeInputAdminMixin, TranslationAdmin):
    form = SpeakerAdminForm
    list_display = ["name_latin", "name_native", "position", "organization", "country", "protocol_rank"]
    list_filter = ["country", "honorific"]
    list_select_related = ["organization"]
    search_fields = ["name_latin", "name_native", *in_every_language("position", "organization__name")]
    autocomplete_fields = ["organization"]


@admin.register(Sector)
class SectorAdmin(SafeInputAdminMixin, TranslationAdmin):
    list_display = ["name", "slug", "exhibit_count"]
    search_fields = in_every_language("name")
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(exhibit_total=Count("exhibits"))

    @admin.display(description=_("exhibits"), ordering="exhibit_total")
    def exhibit_count(self, sector):
        """How many exhibits, across editions, are in this sector."""
        return sector.exhibit_total


@admin.register(Exhibit)
class ExhibitAdmin(SafeInputAdminMixin, TranslationAdmin):
    form = ExhibitAdminForm
    list_display = ["title", "event", "exhibitor", "hall", "booth", "sector_list", "is_featured"]
    list_filter = ["event", "is_featured", "sectors"]
    list_select_related = ["event", "exhibitor"]
    search_fields = in_every_language("title", "summary", "exhibitor__name")
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["event", "exhibitor"]
    filter_horizontal = ["sectors"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("sectors")

    @admin.display(description=_("sectors"))
    def sector_list(self, exhibit):
        """The exhibit's sectors, comma-separated."""
        return ", ".join(sector.name for sector in exhibit.sectors.all())


@admin.register(Document)
class DocumentAdmin(SafeInputAdminMixin, TranslationAdmin):
    form = DocumentAdminForm
    list_display = ["title", "event", "kind", "published_on"]
    list_filter = ["event", "kind"]
    list_select_related = ["event"]
    search_fields = in_every_language("title", "summary", "body")
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["event"]
    date_hierarchy = "published_on"
