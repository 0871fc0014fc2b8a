"""The organizers' admin for people: accounts, registrations (changed only through the services),
the outbox and the audit log; and the seat counts on each edition."""

from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.admin import EditionTimeZoneMixin, EventAdmin, SafeInputAdminMixin, SubForumAdmin
from events.models import Event, SubForum

from . import exports, services
from .models import AuditEntry, CheckIn, OutboxMessage, Profile, Registration, SubForumSeat, User
from .outbox import resend
from .permissions import can_export, can_see_passports
from .selectors import seat_summary


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
            (sf.pk, f"{sf.title} ({sf.event.edition_number})")
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

    list_display = [
        "delegate",
        "email",
        "organization",
        "country",
        "event",
        "category",
        "mode",
        "status",
        "created_at",
    ]
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
        profile = getattr(registration.user, "profile", None)
        return profile.name_latin if profile else "—"

    @admin.display(description=_("email"), ordering="user__email")
    def email(self, registration):
        return registration.user.email

    @admin.display(description=_("organization"))
    def organization(self, registration):
        profile = getattr(registration.user, "profile", None)
        return profile.organization if profile else ""

    @admin.display(description=_("country"))
    def country(self, registration):
        profile = getattr(registration.user, "profile", None)
        return profile.country.name if profile else ""

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

    readonly_fields = ["seats"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, (_("Seats"), {"fields": ["seats"]})]

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
