"""A delegation's focal point at /me/delegations/<id>/: the members, their seats and badges, and the
quotas; adding, editing (logistics), replacing and cancelling members through the services.

Delegations are looked up through the signed-in account's focal-point delegations and members
through their delegation, so anyone else (staff included: they have the staff pages) gets 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from events.models import AttendanceMode
from events.timezones import respond_in_time_zone

from . import permissions, services
from .forms import MemberCancelForm, MemberLogisticsForm, MemberProfileForm, MemberRegistrationForm
from .locks import BusyMiddleware
from .models import Delegation, Registration
from .selectors import delegation_members

COUNTED = (*Registration.SEAT_HOLDING, Registration.Status.WAITLISTED)  # as the quota rule counts
ABOUT_THE_PERSON = {
    "already_registered": gettext_lazy("This person is already registered for this edition."),
    "rejected": gettext_lazy("This person's registration for this edition was declined."),
}


def quota_rows(delegation: Delegation) -> list[dict]:
    """Per attendance mode: the members counted against the quota (waiting ones too) and the quota."""
    modes = ((AttendanceMode.IN_PERSON, _("In person")), (AttendanceMode.ONLINE, _("Online")))
    counts = delegation.members.aggregate(
        **{mode: Count("pk", filter=Q(mode=mode, status__in=COUNTED)) for mode, _label in modes}
    )
    return [{"label": label, "used": counts[mode], "quota": delegation.quota(mode)} for mode, label in modes]


class FocalPointMixin(LoginRequiredMixin):
    """The URL's delegation, if the signed-in account is one of its focal points (else 404); times
    are read and shown in its edition's time zone."""

    @cached_property
    def delegation(self) -> Delegation:
        return get_object_or_404(
            permissions.focal_delegations(self.request.user).select_related("event"), pk=self.kwargs["pk"]
        )

    @property
    def event(self):
        return self.delegation.event

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        return respond_in_time_zone(
            self.event.tz, lambda: super(FocalPointMixin, self).dispatch(request, *args, **kwargs)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"delegation": self.delegation, "event": self.event})
        return context

    def back(self):
        """To the delegation's page."""
        return redirect("delegates:delegation", self.delegation.pk)

    def closed(self):
        """Members change only while registration is open: say so on the delegation's page."""
        messages.error(
            self.request,
            _(
                "Registration for this edition is not open: to change the delegation, write to the organizers."
            ),
        )
        return self.back()

    def refused(self, form, error: services.RegistrationError, **context):
        """The form again with the service's refusal on it (503 with Retry-After when the seats were busy)."""
        if hasattr(form, "show_violations"):
            form.show_violations(error)
        else:  # a profile form: the refusal concerns the whole form (e.g. "already registered")
            form.add_error(None, error.message)
        response = self.render_to_response(self.get_context_data(form=form, **context))
        if isinstance(error, services.Busy):
            response.status_code = 503
            response["Retry-After"] = str(BusyMiddleware.RETRY_AFTER_SECONDS)
        return response


class MemberMixin(FocalPointMixin):
    """One member of the URL's delegation (a member of another delegation is 404), while it may change."""

    @cached_property
    def member(self) -> Registration:
        return get_object_or_404(
            self.delegation.members.select_related("user__profile", "event"), pk=self.kwargs["member"]
        )

    def get(self, request, *args, **kwargs):
        if not self.event.is_registration_open():
            return self.closed()
        if not self.member.is_active:
            messages.info(request, _("This registration is no longer active."))
            return self.back()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.member
        return context


class DelegationDetailView(FocalPointMixin, TemplateView):
    """The delegation's members with status, seats, badge and check-in, and the quotas per mode."""

    template_name = "delegates/delegation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "members": delegation_members(self.delegation),
                "quotas": quota_rows(self.delegation),
                "is_open": self.event.is_registration_open(),
            }
        )
        return context


class DelegationMemberAddView(FocalPointMixin, TemplateView):
    """Register a new member: their email and profile, and their registration (consent is theirs)."""

    template_name = "delegates/delegation_member_form.html"

    def get(self, request, *args, **kwargs):
        if not self.event.is_registration_open():
            return self.closed()
        return super().get(request, *args, **kwargs)

    def forms(self, data=None):
        """The profile form and the registration form, blank or bound to the POST."""
        return (
            MemberProfileForm(data, initial={"preferred_language": self.request.LANGUAGE_CODE}),
            MemberRegistrationForm(data, event=self.event, user=None, self_service=False),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "profile_form" not in kwargs:
            context["profile_form"], context["form"] = self.forms()
        return context

    def post(self, request, *args, **kwargs):
        profile_form, form = self.forms(request.POST)
        if not (profile_form.is_valid() & form.is_valid()):  # both, so every error shows at once
            return self.render_to_response(self.get_context_data(profile_form=profile_form, form=form))
        try:
            member = services.add_delegation_member(
                delegation=self.delegation,
                actor=request.user,
                email=profile_form.cleaned_data["email"],
                profile=profile_form.save(commit=False),
                details=form.details(consent_version=""),
                sub_forums=list(form.cleaned_data["sub_forums"]),
            )
        except services.RegistrationError as error:
            if error.code in ABOUT_THE_PERSON:  # the service words these for a delegate's own registration
                profile_form.add_error("email", ABOUT_THE_PERSON[error.code])
                return self.render_to_response(self.get_context_data(profile_form=profile_form, form=form))
            return self.refused(form, error, profile_form=profile_form)
        messages.success(
            request,
            _("%(email)s is registered (%(status)s) and is sent an email to confirm and consent.")
            % {"email": member.user.email, "status": member.get_status_display()},
        )
        return self.back()


class DelegationMemberEditView(MemberMixin, TemplateView):
    """Change a member's travel and needs while registration is open; the member is told by email."""

    template_name = "delegates/delegation_member_edit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", MemberLogisticsForm(instance=self.member))
        return context

    def post(self, request, *args, **kwargs):
        form = MemberLogisticsForm(request.POST, instance=self.member)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if not self.event.is_registration_open():
            return self.closed()
        try:
            services.edit_registration(
                registration=self.member,
                details=form.details(),
                sub_forums=list(self.member.sub_forums.order_by("pk")),
                actor=request.user,
            )
        except services.RegistrationError as error:
            return self.refused(form, error)
        messages.success(request, _("The member's details are saved and the member is told by email."))
        return self.back()


class DelegationMemberReplaceView(MemberMixin, TemplateView):
    """Give a member's place to another person (the seat passes over in one transaction)."""

    template_name = "delegates/delegation_member_replace.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", MemberProfileForm(initial={"preferred_language": self.request.LANGUAGE_CODE})
        )
        return context

    def post(self, request, *args, **kwargs):
        form = MemberProfileForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            successor = services.replace_delegation_member(
                registration=self.member,
                actor=request.user,
                email=form.cleaned_data["email"],
                profile=form.save(commit=False),
            )
        except services.RegistrationError as error:
            return self.refused(form, error)
        messages.success(
            request,
            _("%(email)s takes the place and is sent an email to confirm and consent.")
            % {"email": successor.user.email},
        )
        return self.back()


class DelegationMemberCancelView(MemberMixin, TemplateView):
    """Ask for confirmation, then cancel a member's registration; the member is told by email."""

    template_name = "delegates/delegation_member_cancel.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", MemberCancelForm())
        return context

    def post(self, request, *args, **kwargs):
        form = MemberCancelForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if not self.event.is_registration_open():
            return self.closed()
        try:
            # The email says the delegation's focal point cancelled (services.cancel_registration).
            services.cancel_registration(registration=self.member, actor=request.user)
        except services.RegistrationError as error:
            return self.refused(form, error)
        messages.success(
            request, _("The member's registration is cancelled and the member is told by email.")
        )
        return self.back()
