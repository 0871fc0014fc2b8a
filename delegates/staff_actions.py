"""Staff acting on a delegate's behalf (/staff/<edition>/registrations/<id>/...): see one registration,
edit it for the delegate (Organizers, also after registration closed), cancel it with a reason, undo
a wrong check-in, reissue the badge (both roles). Every change goes through the services, which
audit it and email the delegate in their language."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic.edit import FormMixin

from events.text import PlainTextFormMixin
from events.timezones import respond_in_time_zone

from . import services
from .forms import RegistrationForm
from .models import Registration
from .permissions import allows, permission_required
from .staff_views import StaffView, desk_point, staff_edition


def _registration(event, pk: int) -> Registration:
    """A registration of this edition (another edition's is 404), with what the pages show."""
    return get_object_or_404(
        event.registrations.select_related("user__profile", "event").prefetch_related(
            "seats__sub_forum", "check_ins__sub_forum", "check_ins__checked_in_by"
        ),
        pk=pk,
    )


def _scoped(event_slug: str, pk: int) -> tuple:
    """The URL's edition and its registration (404 for either unknown)."""
    event = staff_edition(event_slug)
    return event, _registration(event, pk)


class StaffCancelForm(PlainTextFormMixin, forms.Form):
    """Why the staff cancel a registration: the delegate reads it in the email."""

    reason = forms.CharField(
        label=gettext_lazy("Reason (sent to the delegate)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class StaffRegistrationForm(RegistrationForm):
    """The delegate's registration form as organizers use it: the delegate's consent is theirs to give."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["consent"]


class StaffRegistrationView(StaffView):
    """One registration with what staff may do for the delegate."""

    permission_required = "act_at_desk"
    template_name = "staff/registration_detail.html"

    @cached_property
    def registration(self) -> Registration:
        return _registration(self.event, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "event": self.event,
                "registration": self.registration,
                "profile": getattr(self.registration.user, "profile", None),
                "cancel_form": kwargs.get("cancel_form") or StaffCancelForm(),
                "may_edit": allows(self.request.user, "edit_for_delegate"),
            }
        )
        return context


class StaffRegistrationEditView(FormMixin, StaffView):
    """Organizers change a delegate's registration for them (logistics, sub-forums, mode), at any time."""

    permission_required = "edit_for_delegate"
    template_name = "staff/registration_edit.html"
    form_class = StaffRegistrationForm

    @cached_property
    def registration(self) -> Registration:
        return _registration(self.event, self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        """Times are read and shown in the edition's time zone."""
        return respond_in_time_zone(
            self.event.tz, lambda: super(StaffRegistrationEditView, self).dispatch(request, *args, **kwargs)
        )

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "event": self.event,
            "instance": self.registration,
            "user": self.registration.user,
            "self_service": False,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"event": self.event, "registration": self.registration})
        return context

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        if not self.registration.is_active:
            form.add_error(None, _("This registration is no longer active."))
            return self.form_invalid(form)
        try:
            services.edit_registration(
                registration=self.registration,
                details=form.details(consent_version=self.registration.consent_version),
                sub_forums=list(form.cleaned_data["sub_forums"]),
                actor=request.user,
            )
        except services.RegistrationError as error:
            form.show_violations(error)
            return self.form_invalid(form)
        messages.success(request, _("The registration is saved and the delegate is told by email."))
        return redirect("staff:registration", self.event.slug, self.registration.pk)


@permission_required("act_at_desk")
@require_POST
def cancel_for_delegate(request, event_slug: str, pk: int):
    """Cancel a registration with a reason (any time); the line moves and the delegate is told."""
    event, registration = _scoped(event_slug, pk)
    form = StaffCancelForm(request.POST)
    if not form.is_valid():
        view = StaffRegistrationView(request=request, kwargs={"event_slug": event_slug, "pk": pk})
        return view.render_to_response(view.get_context_data(cancel_form=form), status=400)
    try:
        services.cancel_registration(
            registration=registration, actor=request.user, reason=form.cleaned_data["reason"]
        )
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The registration is cancelled and the delegate is told by email."))
    return redirect("staff:registration", event.slug, registration.pk)


@permission_required("act_at_desk")
@require_POST
def undo_check_in(request, event_slug: str, pk: int):
    """Take back a check-in made by mistake, at the entrance or at one sub-forum."""
    event, registration = _scoped(event_slug, pk)
    sub_forum = desk_point(event, request.POST.get("point", ""))
    if services.undo_check_in(registration=registration, actor=request.user, sub_forum=sub_forum):
        messages.success(request, _("The check-in is undone: the badge is admitted again."))
    else:
        messages.info(request, _("There was no check-in to undo."))
    return redirect("staff:registration", event.slug, registration.pk)


@permission_required("act_at_desk")
@require_POST
def reissue_badge(request, event_slug: str, pk: int):
    """A new badge for a lost or wrong one: the old badge is refused at the door from now on."""
    event, registration = _scoped(event_slug, pk)
    services.reissue_badge(registration=registration, actor=request.user)
    messages.success(request, _("A new badge is issued; the old one no longer opens the doors."))
    return redirect("staff:registration", event.slug, registration.pk)
