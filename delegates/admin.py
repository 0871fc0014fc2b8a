"""The organizers' admin for people: accounts, registrations (changed only through the services),
delegations and invitations, the outbox and the audit log; and the seat counts on each edition."""

import csv
import io

from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries import countries
from modeltranslation.admin import TranslationAdmin

from events.admin import EditionTimeZoneMixin, EventAdmin, SafeInputAdminMixin, SubForumAdmin
from events.inputs import ascii_int
from events.models import AttendanceMode, Event, SubForum
from events.text import apply_plain_text_rule
from events.translation import in_every_language

from . import exports, invitations, services
from .letter_admin import issue_visa_letters
from .models import (
    AuditEntry,
    CheckIn,
    Delegation,
    Invitation,
    OutboxMessage,
    Profile,
    Registration,
    SubForumSeat,
    User,
)
from .outbox import resend
from .permissions import can_export, can_see_passports
from .selectors import seat_summary


def _is_focal_point_lookup(request) -> bool:
    """Whether this is the admin's account search behind a delegation's focal points field, asked by
    someone who may edit delegations (the search answers only ids and emails)."""
    match = getattr(request, "resolver_match", None)
    return (
        match is not None
        and match.url_name == "autocomplete"
        and request.GET.get("app_label") == "delegates"
        and request.GET.get("model_name") == "delegation"
        and request.GET.get("field_name") == "focal_points"
        and (
            request.user.has_perm("delegates.add_delegation")
            or request.user.has_perm("delegates.change_delegation")
        )
    )


# Cancelled and rejected registrations hold no place in a delegation.
INACTIVE = (Registration.Status.CANCELLED, Registration.Status.REJECTED)


@admin.register(User)
class UserAdmin(SafeInputAdminMixin, DjangoUserAdmin):
    """Accounts keyed by email; superusers administer them."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]

    def has_view_permission(self, request, obj=None):
        """Organizers may also look accounts up by email to choose a delegation's focal points."""
        return super().has_view_permission(request, obj) or (obj is None and _is_focal_point_lookup(request))

    def get_deleted_objects(self, objs, request):
        """An organizer who may delete accounts may delete their registrations too: the services do it."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        through_services = {str(model._meta.verbose_name) for model in (Registration, SubForumSeat, CheckIn)}
        return deleted, counts, perms_needed - through_services, protected

    def delete_model(self, request, obj):
        """Deleting an account cancels its registrations through the services first: the line moves."""
        services.erase_account(user=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        """The bulk delete action erases each account the same way."""
        for user in queryset.order_by("pk"):
            services.erase_account(user=user, actor=request.user)


@admin.register(Profile)
class ProfileAdmin(SafeInputAdminMixin, admin.ModelAdmin):
    list_display = ["name_latin", "name_native", "organization", "country", "user"]
    list_filter = ["country", "preferred_language"]
    list_select_related = ["user"]
    search_fields = [
        "user__email",
        "given_name_latin",
        "family_name_latin",
        "given_name_native",
        "family_name_native",
        "organization",
    ]
    readonly_fields = ["user"]

    def has_add_permission(self, request):
        """Profiles are made by their delegates."""
        return False


class OfferedValueListFilter(admin.SimpleListFilter):
    """A list filter that applies only a value it offers; any other is the admin's "invalid lookup"."""

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in {str(key) for key, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(f"{self.parameter_name}={value!r} is not offered")
        return self.filter_by(queryset, value)

    def filter_by(self, queryset, value: str):
        """The rows for one of the offered values."""
        raise NotImplementedError


class SubForumFilter(OfferedValueListFilter):
    """Registrations that chose a sub-forum."""

    title = _("sub-forum")
    parameter_name = "sub_forum"

    def lookups(self, request, model_admin):
        return [
            (sf.pk, f"{sf.title} ({sf.event.edition_label})")
            for sf in SubForum.objects.select_related("event")
        ]

    def filter_by(self, queryset, value: str):
        return queryset.filter(seats__sub_forum_id=value)


class SeatInline(SafeInputAdminMixin, admin.TabularInline):
    model = SubForumSeat
    extra = 0
    fields = ["sub_forum", "state", "requested_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    """The reason given to the delegates whose registrations are declined."""

    reason = forms.CharField(
        label=_("Reason (sent to the delegates)"), widget=forms.Textarea, max_length=2000
    )


PASSPORT_FIELDS = ["passport_number", "passport_nationality", "passport_birth_date", "passport_expires_on"]


class CountryFilter(OfferedValueListFilter):
    """Registrations by the delegate's country, named in the reader's language."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = (
            Profile.objects.filter(user__registrations__isnull=False)
            .values_list("country", flat=True)
            .distinct()
        )
        return sorted(((code, countries.name(code)) for code in codes if code), key=lambda item: str(item[1]))

    def filter_by(self, queryset, value: str):
        return queryset.filter(user__profile__country=value)


@admin.register(Registration)
class RegistrationAdmin(SafeInputAdminMixin, EditionTimeZoneMixin, admin.ModelAdmin):
    """Registrations are read here and changed only through the services (the bulk actions)."""

    # What an organizer decides on comes first, so that it shows at a laptop's width (1280 px) beside
    # the admin's menu and the filters; the email and the country share the columns of the name and
    # the organization, and the day of registering is the date hierarchy above the list.
    list_display = ["delegate", "status", "category", "mode", "edition"]
    list_filter = [
        "event",
        "status",
        "mode",
        "category",
        CountryFilter,
        SubForumFilter,
    ]
    list_select_related = ["user__profile", "event"]
    search_fields = [
        "user__email",
        "user__profile__given_name_latin",
        "user__profile__family_name_latin",
        "user__profile__given_name_native",
        "user__profile__family_name_native",
        "user__profile__organization",
    ]
    date_hierarchy = "created_at"
    inlines = [SeatInline]
    actions = [
        "approve_selected",
        "promote_selected",
        "reject_selected",
        "waitlist_selected",
        "export_selected_csv",
        "export_selected_xlsx",
        "reissue_badges",
        issue_visa_letters,
    ]
    list_per_page = 50

    def has_add_permission(self, request):
        """Delegates register themselves (and organizers import delegations)."""
        return False

    def edition_for(self, object_id):
        """Arrival and departure show in the registration's edition's time zone."""
        return Event.objects.filter(registrations__pk=object_id).first()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A read-only page: the state changes are the list's actions, not a Save button."""
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().changeform_view(request, object_id, form_url, extra_context)

    def has_delete_permission(self, request, obj=None):
        """Cancel or reject instead, so seats are released and the line moves."""
        return False

    def get_fields(self, request, obj=None):
        fields = [
            field.name for field in Registration._meta.fields if field.name not in ("id", "badge_token")
        ]
        if not can_see_passports(request.user):
            fields = [name if name not in PASSPORT_FIELDS else None for name in fields]
            fields = [name for name in fields if name] + ["passport_masked"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Record each time someone allowed to read passports opens one."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if can_see_passports(request.user):
            registration = Registration.objects.filter(pk=object_id, wants_visa_letter=True).first()
            if registration is not None:
                services.record_passport_view(registration=registration, actor=request.user)
        return response

    def lookup_allowed(self, lookup, value, request=None):
        """No filtering or probing by passport data (or badge tokens) without the passport permission."""
        hidden = (*PASSPORT_FIELDS, "badge_token")
        if lookup.split("__")[0] in hidden and not (request and can_see_passports(request.user)):
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("passport number"))
    def passport_masked(self, registration):
        """Shown to those without the passport permission: only whether there is one."""
        return _("on file") if registration.passport_number else "—"

    @admin.display(description=_("delegate"), ordering="user__profile__family_name_latin")
    def delegate(self, registration):
        """The name, the email (broken anywhere, so that a long one cannot widen the list), then the
        organization and its country: one column, so that status, category and mode fit at 1280 px."""
        profile = getattr(registration.user, "profile", None)
        if profile is None:
            return format_html('—<br><span class="registration-email">{}</span>', registration.user.email)
        return format_html(
            '{}<br><span class="registration-email">{}</span><br><span class="registration-affiliation">{}, {}</span>',
            profile.name_latin,
            registration.user.email,
            profile.organization,
            profile.country.name,
        )

    @admin.display(description=_("edition"), ordering="event__edition_number")
    def edition(self, registration):
        """The edition's ordinal ("8th"), or "sample edition": the series' name is the same on every row."""
        return registration.event.edition_label

    def _apply(self, request, queryset, change, success: str, **kwargs):
        """Run one service on each selected registration and report what happened."""
        done, refused = 0, []
        for registration in queryset.select_related("event", "user"):
            try:
                change(registration=registration, actor=request.user, **kwargs)
                done += 1
            except services.RegistrationError as error:
                refused.append(f"{registration.user.email}: {error.message}")
        if done:
            self.message_user(request, success % {"count": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    def has_export_permission(self, request):
        """Registration staff and Organizers may export."""
        return can_export(request.user)

    def _export(self, request, queryset, file_format):
        """The same export as the staff pages, of the selected rows (one edition at a time)."""
        editions = set(queryset.values_list("event", flat=True))
        if len(editions) != 1:
            self.message_user(request, _("Select registrations of one edition to export."), messages.ERROR)
            return None
        event = Event.objects.get(pk=editions.pop())
        columns = exports.chosen_columns(exports.DEFAULT_COLUMNS, may_see_passports=False)
        return exports.export_response(
            actor=request.user,
            event=event,
            queryset=queryset,
            columns=columns,
            file_format=file_format,
            filters={"selected": sorted(queryset.values_list("pk", flat=True))},
        )

    @admin.action(description=_("Export the selected registrations (CSV)"), permissions=["export"])
    def export_selected_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Export the selected registrations (XLSX)"), permissions=["export"])
    def export_selected_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    @admin.action(description=_("Reissue the badges (the old ones stop working)"), permissions=["change"])
    def reissue_badges(self, request, queryset):
        self._apply(request, queryset, services.reissue_badge, _("Badges reissued: %(count)d."))

    @admin.action(description=_("Approve the selected registrations"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._apply(request, queryset, services.approve_registration, _("Registrations approved: %(count)d."))

    @admin.action(
        description=_("Give the selected waitlisted registrations a seat, if free"), permissions=["change"]
    )
    def promote_selected(self, request, queryset):
        self._apply(
            request, queryset, services.promote_registration, _("Registrations given a seat: %(count)d.")
        )

    @admin.action(
        description=_("Move the selected registrations to the waiting list"), permissions=["change"]
    )
    def waitlist_selected(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.waitlist_registration,
            _("Registrations moved to the waiting list: %(count)d."),
        )

    @admin.action(
        description=_("Reject the selected registrations (asks for a reason)"), permissions=["change"]
    )
    def reject_selected(self, request, queryset):
        """Ask for the reason, then reject through the service."""
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self._apply(
                request,
                queryset,
                services.reject_registration,
                _("Registrations rejected: %(count)d."),
                reason=form.cleaned_data["reason"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject registrations"),
            "opts": self.model._meta,
            "form": form,
            "registrations": queryset.select_related("user"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/delegates/registration/reject.html", context)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SafeInputAdminMixin, admin.ModelAdmin):
    """The outbox: what was sent, what waits for a retry and why, what failed."""

    list_display = [
        "subject",
        "to",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error_short",
    ]
    list_filter = ["status", "kind", "language"]
    search_fields = ["to", "subject", "message_id"]
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    # Bodies are never shown: account emails carry sign-up and password-reset links.
    fields = readonly_fields = [
        "to",
        "subject",
        "kind",
        "language",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "message_id",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("last error"))
    def last_error_short(self, message):
        return message.last_error[:80]

    @admin.action(description=_("Send the selected messages again"), permissions=["change"])
    def resend_selected(self, request, queryset):
        selected = list(queryset)
        queued = sum(resend(message) for message in selected)
        self.message_user(
            request, _("Messages queued again: %(count)d.") % {"count": queued}, messages.SUCCESS
        )
        if queued < len(selected):
            self.message_user(
                request,
                _(
                    "Not sent again: %(count)d account emails, whose links were erased once sent. "
                    "The person can ask for a new link on the sign-in page."
                )
                % {"count": len(selected) - queued},
                messages.WARNING,
            )


@admin.register(AuditEntry)
class AuditEntryAdmin(SafeInputAdminMixin, admin.ModelAdmin):
    """Who did what, when; nobody edits it."""

    list_display = ["created_at", "action", "actor", "event", "registration", "data"]
    list_filter = ["action", "event", ("actor", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["actor", "event", "registration__user"]
    search_fields = ["action", "actor__email", "registration__user__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class ReadOnlyAuthenticatorAdmin(SafeInputAdminMixin, AuthenticatorAdmin):
    """Two-factor authenticators are set up by their owners (allauth's pages); superusers see and
    delete them here, never type one in: a hand-made type or secret locks the owner out, and data
    that does not suit its type breaks allauth's own display of it (a 500)."""

    readonly_fields = ["user", "type", "data", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False


admin.site.unregister(Event)


@admin.register(Event)
class EventWithSeatsAdmin(EventAdmin):
    """The edition form, with its seats held against capacity and the waiting lists."""

    readonly_fields = ["seats", "delegation_list"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [
            *fieldsets,
            (_("Seats"), {"fields": ["seats"]}),
            (_("Delegations"), {"fields": ["delegation_list"]}),
        ]

    @admin.display(description=_("delegations: members in person / quota, online / quota"))
    def delegation_list(self, event):
        """Each delegation with its members against its quotas, linked to its page and to the list."""
        delegations = with_member_counts(event.delegations.order_by("protocol_order", "pk"))
        rows = format_html_join(
            "\n",
            '<div><a href="{}">{}</a>: {} · {}</div>',
            (
                (
                    reverse("admin:delegates_delegation_change", args=[delegation.pk]),
                    delegation.name,
                    _members_against_quota(delegation.in_person_count, delegation.quota_in_person),
                    _members_against_quota(delegation.online_count, delegation.quota_online),
                )
                for delegation in delegations
            ),
        )
        listed = (
            reverse("admin:delegates_delegation_changelist") + "?" + urlencode({"event__id__exact": event.pk})
        )
        added = reverse("admin:delegates_delegation_add") + "?" + urlencode({"event": event.pk})
        links = format_html(
            '<div><a href="{}">{}</a> · <a href="{}">{}</a></div>',
            listed,
            _("All delegations of this edition"),
            added,
            _("Add a delegation"),
        )
        return rows + links

    def save_related(self, request, form, formsets, change):
        """Capacities may have grown: let the people in line in (after the sub-forums are saved)."""
        super().save_related(request, form, formsets, change)
        if change:
            services.refill(event=form.instance, actor=request.user)

    @admin.display(description=_("seats held / capacity, waiting"))
    def seats(self, event):
        """One line for each mode and each sub-forum."""
        rows = seat_summary(event)
        return format_html_join("\n", "<div>{}: {} / {} · {}</div>", rows)


admin.site.unregister(SubForum)


@admin.register(SubForum)
class SubForumWithLineAdmin(SubForumAdmin):
    """A sub-forum whose capacity grows lets its waiting line in."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            services.refill(event=obj.event, actor=request.user)


# --- delegations ----------------------------------------------------------------------------

# The members a delegation's quota counts: everyone not cancelled or rejected.
QUOTA_STATUSES = (Registration.Status.PENDING, Registration.Status.APPROVED, Registration.Status.WAITLISTED)


def _members_against_quota(count: int, quota: int | None) -> str:
    """ "3 / 15", or "3" alone when there is no quota."""
    return f"{count} / {quota}" if quota is not None else str(count)


def _countries_named(term: str) -> list[str]:
    """The codes of the countries whose name, in the reader's language or in English, contains `term`."""
    term = term.strip().casefold()
    if not term:
        return []
    return [code for code, name in countries if term in str(name).casefold()]


def with_member_counts(queryset):
    """Delegations with their members counted per mode (one query), their edition and focal points."""
    counted = Q(members__status__in=QUOTA_STATUSES)
    in_person = counted & Q(members__mode=AttendanceMode.IN_PERSON)
    online = counted & Q(members__mode=AttendanceMode.ONLINE)
    return (
        queryset.select_related("event")
        .prefetch_related("focal_points")
        .annotate(
            in_person_count=Count("members", filter=in_person, distinct=True),
            online_count=Count("members", filter=online, distinct=True),
        )
    )


class KeyCheckedAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    """The many-valued autocomplete widget, looking up only submitted values that can be account ids
    (as events.admin.KeyCheckedAutocompleteSelect does for one value): "abc" or "\x00" in a refused
    form is dropped, not passed to `pk__in` (a 500)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [item for item in value if ascii_int(str(item)) is not None], attr)


class AccountsField(forms.ModelMultipleChoiceField):
    """Accounts by id: a posted value that cannot be one ("٣", NUL, twenty digits) is an invalid
    choice, before it reaches the query (where it would be a 500)."""

    def _check_values(self, value):
        for item in value:
            if ascii_int(str(item)) is None:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)


@admin.register(Delegation)
class DelegationAdmin(SafeInputAdminMixin, TranslationAdmin):
    """An edition's delegations with their members against each quota, focal points and head."""

    list_display = [
        "name",
        "kind",
        "country",
        "protocol_order",
        "in_person",
        "online",
        "focal_point_list",
        "event",
    ]
    list_display_links = ["name"]
    list_filter = ["event", "kind"]
    search_fields = [*in_every_language("name"), "country"]
    autocomplete_fields = ["focal_points"]
    fields = [
        "event",
        "name",
        "kind",
        "country",
        "protocol_order",
        "quota_in_person",
        "quota_online",
        "focal_points",
        "head",
        "notes",
        "invitations_link",
    ]
    readonly_fields = ["invitations_link"]
    list_per_page = 100

    def get_queryset(self, request):
        """Members per mode counted in the same query, focal points in one more."""
        return with_member_counts(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        """Match a name in any language, a country code, or a country's name."""
        matched, _duplicates = super().get_search_results(request, Delegation.objects.all(), search_term)
        if not search_term.strip():
            return queryset, False
        wanted = Q(pk__in=matched.values("pk"))
        codes = _countries_named(search_term)
        if codes:
            wanted |= Q(country__in=codes)
        return queryset.filter(wanted), False

    def get_readonly_fields(self, request, obj=None):
        """A delegation stays in its edition: its members registered for that one."""
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "event"] if obj is not None else fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Focal points are looked up by email, with the widget that checks keys first."""
        if db_field.name == "focal_points":
            kwargs["widget"] = KeyCheckedAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
            kwargs["form_class"] = AccountsField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The head is chosen among this delegation's own members who are not cancelled or rejected."""
        form = super().get_form(request, obj, change=change, **kwargs)
        if "head" in form.base_fields:
            members = (
                Registration.objects.filter(delegation=obj).exclude(status__in=INACTIVE)
                if obj
                else Registration.objects.none()
            )
            form.base_fields["head"].queryset = members.select_related("user", "event")
        return form

    @admin.display(description=_("in person / quota"), ordering="in_person_count")
    def in_person(self, delegation):
        return _members_against_quota(delegation.in_person_count, delegation.quota_in_person)

    @admin.display(description=_("online / quota"), ordering="online_count")
    def online(self, delegation):
        return _members_against_quota(delegation.online_count, delegation.quota_online)

    @admin.display(description=_("focal points"))
    def focal_point_list(self, delegation):
        return ", ".join(user.email for user in delegation.focal_points.all())

    @admin.display(description=_("invitations"))
    def invitations_link(self, delegation):
        """Links to this delegation's invitations and to making more."""
        if delegation.pk is None:
            return "—"
        listed = (
            reverse("admin:delegates_invitation_changelist")
            + "?"
            + urlencode({"delegation__id__exact": delegation.pk})
        )
        bulk = reverse("admin:delegates_invitation_bulk") + "?" + urlencode({"delegation": delegation.pk})
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            listed,
            _("List its invitations"),
            bulk,
            _("Create invitations for it"),
        )


# --- invitations ----------------------------------------------------------------------------


class InvitationAdminForm(forms.ModelForm):
    """An invitation's delegation belongs to its edition, and it keeps the uses it has had."""

    class Meta:
        model = Invitation
        fields = [
            "event",
            "email",
            "delegation",
            "makes_focal_point",
            "category",
            "language",
            "max_uses",
            "expires_at",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        event, delegation = cleaned.get("event"), cleaned.get("delegation")
        if event is not None and delegation is not None and delegation.event_id != event.pk:
            self.add_error("delegation", _("Choose a delegation of this edition."))
        max_uses = cleaned.get("max_uses")
        if max_uses is not None and max_uses < self.instance.uses:
            self.add_error(
                "max_uses",
                _("This invitation has been used %(uses)d times already.") % {"uses": self.instance.uses},
            )
        return cleaned


class BulkInvitationForm(forms.Form):
    """Many invitations alike: e.g. 20 single-use codes for one delegation."""

    event = forms.ModelChoiceField(Event.objects.all(), label=_("edition"))
    delegation = forms.ModelChoiceField(
        Delegation.objects.select_related("event"), label=_("delegation"), required=False
    )
    makes_focal_point = forms.BooleanField(
        label=_("makes its holder a focal point of the delegation"),
        required=False,
        help_text=_("Its holder registers the delegation's members instead of registering."),
    )
    count = forms.IntegerField(
        label=_("how many codes"), min_value=1, max_value=invitations.MAX_BULK, initial=20
    )
    max_uses = forms.IntegerField(label=_("uses of each code"), min_value=1, max_value=10000, initial=1)
    category = forms.ChoiceField(
        label=_("category"), choices=[("", "—"), *Registration.Category.choices], required=False
    )
    expires_at = forms.DateTimeField(
        label=_("expires"), required=False, help_text=_("In the edition's time zone; blank: never.")
    )
    language = forms.ChoiceField(label=_("language of the invitation email"), choices=settings.LANGUAGES)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        apply_plain_text_rule(self.fields["note"])

    def clean(self):
        cleaned = super().clean()
        event, delegation = cleaned.get("event"), cleaned.get("delegation")
        if event is not None and delegation is not None and delegation.event_id != event.pk:
            self.add_error("delegation", _("Choose a delegation of this edition."))
        if cleaned.get("makes_focal_point") and delegation is None and "delegation" not in self.errors:
            self.add_error(
                "makes_focal_point", _("Choose the delegation whose focal point this invitation makes.")
            )
        expires_at = cleaned.get("expires_at")
        if event is not None and expires_at is not None:  # read as the edition's local time
            cleaned["expires_at"] = timezone.make_aware(timezone.make_naive(expires_at), event.tz)
        return cleaned


class InvitationStateFilter(OfferedValueListFilter):
    """Invitations that may still be used, or why not."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("valid", _("Valid")),
            ("used_up", _("Used up")),
            ("expired", _("Expired")),
            ("revoked", _("Revoked")),
        ]

    def filter_by(self, queryset, value: str):
        now = timezone.now()
        revoked = Q(revoked_at__isnull=False)
        expired = Q(expires_at__isnull=False, expires_at__lte=now)
        used_up = Q(uses__gte=models.F("max_uses"))
        if value == "revoked":
            return queryset.filter(revoked)
        if value == "expired":
            return queryset.filter(expired).exclude(revoked)
        if value == "used_up":
            return queryset.filter(used_up).exclude(revoked | expired)
        return queryset.exclude(revoked | expired | used_up)


INVITATION_STATES = {
    "valid": _("Valid"),
    "used_up": _("Used up"),
    "expired": _("Expired"),
    "revoked": _("Revoked"),
}


@admin.register(Invitation)
class InvitationAdmin(SafeInputAdminMixin, EditionTimeZoneMixin, admin.ModelAdmin):
    """Invitations to editions by invitation: made one by one or in bulk, sent, exported, revoked."""

    form = InvitationAdminForm
    list_display = [
        "short_code",
        "email",
        "delegation",
        "makes_focal_point",
        "category",
        "uses_of_max",
        "expires_at",
        "revoked_at",
        "state",
        "event",
    ]
    list_filter = ["event", "delegation", "makes_focal_point", InvitationStateFilter, "category"]
    list_select_related = ["event", "delegation"]
    search_fields = ["email", "note", "code", *in_every_language("delegation__name")]
    autocomplete_fields = ["delegation"]
    readonly_fields = ["link", "uses", "revoked_at", "created_by", "created_at"]
    actions = ["send_selected", "revoke_selected", "export_selected_csv", "export_selected_xlsx"]
    change_list_template = "admin/delegates/invitation/change_list.html"
    list_per_page = 100

    def get_fields(self, request, obj=None):
        fields = list(InvitationAdminForm.Meta.fields)
        return fields if obj is None else [*fields, *self.readonly_fields]

    def edition_for(self, object_id):
        """The expiry is read and shown in the edition's time zone."""
        return Event.objects.filter(invitations__pk=ascii_int(str(object_id))).first()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            invitations.record_created(
                event=obj.event, actor=request.user, count=1, delegation=obj.delegation, email=obj.email
            )

    def get_urls(self):
        bulk = path("bulk/", self.admin_site.admin_view(self.bulk_view), name="delegates_invitation_bulk")
        return [bulk, *super().get_urls()]

    def bulk_view(self, request):
        """Make many invitations alike, then show them in the list."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        delegation_id = ascii_int(request.GET.get("delegation", ""))
        delegation = Delegation.objects.filter(pk=delegation_id).first() if delegation_id else None
        initial = {"delegation": delegation, "event": delegation.event_id} if delegation else {}
        form = BulkInvitationForm(request.POST if request.method == "POST" else None, initial=initial)
        if form.is_valid():
            data = form.cleaned_data
            made = invitations.create_invitations(
                event=data["event"],
                actor=request.user,
                count=data["count"],
                delegation=data["delegation"],
                makes_focal_point=data["makes_focal_point"],
                category=data["category"],
                max_uses=data["max_uses"],
                expires_at=data["expires_at"],
                language=data["language"],
                note=data["note"],
            )
            self.message_user(
                request,
                ngettext("%(count)d invitation created.", "%(count)d invitations created.", len(made))
                % {"count": len(made)},
                messages.SUCCESS,
            )
            query = {"event__id__exact": data["event"].pk}
            if data["delegation"]:
                query["delegation__id__exact"] = data["delegation"].pk
            return HttpResponseRedirect(
                reverse("admin:delegates_invitation_changelist") + "?" + urlencode(query)
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Create invitations in bulk"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, "admin/delegates/invitation/bulk.html", context)

    @admin.display(description=_("code"), ordering="code")
    def short_code(self, invitation):
        """The code's end: enough to tell codes apart without showing whole secrets in the list."""
        return f"…{invitation.code[-6:]}"

    @admin.display(description=_("uses"))
    def uses_of_max(self, invitation):
        return f"{invitation.uses} / {invitation.max_uses}"

    @admin.display(description=_("state"))
    def state(self, invitation):
        return INVITATION_STATES[invitations.invitation_state(invitation)]

    @admin.display(description=_("link"))
    def link(self, invitation):
        return invitations.invitation_link(invitation)

    @admin.action(description=_("Send the invitation email"), permissions=["change"])
    def send_selected(self, request, queryset):
        """Email each selected invitation bound to an address; say which could not be sent."""
        sent, refused = 0, []
        for invitation in queryset.select_related("event", "delegation").order_by("pk"):
            try:
                invitations.send_invitation(invitation=invitation, actor=request.user)
                sent += 1
            except invitations.InvitationError as error:
                refused.append(f"…{invitation.code[-6:]}: {error.message}")
        if sent:
            self.message_user(request, _("Invitation emails queued: %(count)d.") % {"count": sent})
        for line in refused:
            self.message_user(request, line, messages.WARNING)

    @admin.action(description=_("Revoke the selected invitations"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = sum(
            invitations.revoke_invitation(invitation=invitation, actor=request.user)
            for invitation in queryset.order_by("pk")
        )
        self.message_user(request, _("Invitations revoked: %(count)d.") % {"count": revoked})

    @admin.action(
        description=_("Export the selected invitations with their links (CSV)"), permissions=["change"]
    )
    def export_selected_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(
        description=_("Export the selected invitations with their links (XLSX)"), permissions=["change"]
    )
    def export_selected_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    def _export(self, request, queryset, file_format: str) -> HttpResponse:
        """The selected invitations with their links, every cell safe from spreadsheet formulas."""
        rows = list(invitation_rows(queryset.select_related("event", "delegation").order_by("pk")))
        AuditEntry.objects.create(
            action="invitations_exported",
            actor=request.user,
            data={"format": file_format, "rows": len(rows)},
        )
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        filename = f"invitations-{stamp}.{file_format}"
        header = [str(label) for label in INVITATION_COLUMNS]
        if file_format == "csv":
            body = io.StringIO()
            body.write("\ufeff")
            writer = csv.writer(body, quoting=csv.QUOTE_ALL, lineterminator="\n")
            writer.writerow([exports.neutralise(cell) for cell in header])
            writer.writerows([exports.neutralise(cell) for cell in row] for row in rows)
            response = HttpResponse(body.getvalue(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(invitations_xlsx(header, rows), content_type=exports.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


INVITATION_COLUMNS = [
    _("link"),
    _("code"),
    _("edition"),
    _("for this email address only"),
    _("delegation"),
    _("makes its holder a focal point of the delegation"),
    _("category"),
    _("used"),
    _("number of uses"),
    _("expires"),
    _("state"),
    _("note"),
]


def invitation_rows(queryset):
    """One row of text per invitation, in the export's columns."""
    categories = exports.labels(Registration.Category.choices)
    for invitation in queryset:
        expires = invitation.expires_at
        yield [
            invitations.invitation_link(invitation),
            invitation.code,
            str(invitation.event),
            invitation.email,
            invitation.delegation.name if invitation.delegation else "",
            str(_("Yes") if invitation.makes_focal_point else _("No")),
            categories.get(invitation.category, ""),
            str(invitation.uses),
            str(invitation.max_uses),
            timezone.localtime(expires, invitation.event.tz).strftime("%Y-%m-%d %H:%M") if expires else "",
            str(INVITATION_STATES[invitations.invitation_state(invitation)]),
            invitation.note,
        ]


def invitations_xlsx(header: list[str], rows: list[list[str]]) -> bytes:
    """An XLSX of text cells (never formulas or links), header frozen and filterable."""
    handle = io.BytesIO()
    workbook = exports.text_workbook(handle)
    sheet = workbook.add_worksheet("invitations")
    bold = workbook.add_format({"bold": True})
    for index, label in enumerate(header):
        sheet.write_string(0, index, label, bold)
    for row_number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            sheet.write_string(row_number, index, cell)
    sheet.set_column(0, 0, 70)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    workbook.close()
    return handle.getvalue()
