"""Delegate pages: profile, registration, my registrations, cancellation. Views stay thin."""

from urllib.parse import quote

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from events.selectors import public_event
from events.timezones import respond_in_time_zone, zone_label

from . import drafts, encryption, invitations, permissions, rules, selectors, services
from .badges import badge_pdf
from .forms import PRIVACY_NOTICE_VERSION, CancelForm, ConsentForm, ProfileForm, RegistrationForm
from .locks import BusyMiddleware
from .models import Profile
from .rules import PASSPORT_FIELDS, RegistrationDetails


class EventTimeZoneMixin:
    """Forms and pages of an edition read and show times in the edition's time zone."""

    @cached_property
    def event(self):
        return public_event(self.kwargs["event_slug"])

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        return respond_in_time_zone(
            self.event.tz, lambda: super(EventTimeZoneMixin, self).dispatch(request, *args, **kwargs)
        )


class ProfileView(LoginRequiredMixin, FormView):
    """Create or edit the delegate's profile; returns to where the delegate came from."""

    template_name = "delegates/profile_form.html"
    form_class = ProfileForm

    @cached_property
    def profile(self):
        """The delegate's profile, or None before they first save one."""
        return Profile.objects.filter(user=self.request.user).first()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.profile
        return kwargs

    def get_initial(self):
        """A new profile's preferred language is the one the delegate is reading the site in."""
        return {} if self.profile else {"preferred_language": self.request.LANGUAGE_CODE}

    def form_valid(self, form):
        profile = form.save(commit=False)
        profile.user = self.request.user
        profile.save()
        messages.success(self.request, _("Your profile is saved."))
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        target = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return reverse("delegates:me")


# Wrong invitation codes tried per ten minutes, then 429 until the window passes: per account (the
# page needs one), and ten times as many per address, so that one ministry behind one address is not
# locked out by a colleague's typos while a guesser with many accounts still is.
INVITATION_GUESSES = 20
INVITATION_GUESSES_PER_ADDRESS = 200
INVITATION_GUESS_WINDOW_SECONDS = 600
# A refused registration form waits in the session (stored in clear) for one redirect: these typed
# values wait there encrypted, as in the registrations table.
SENT_BACK_ENCRYPTED = ("passport_number", "passport_birth_date")


def sent_back_values(name: str, values: list[str]) -> list[str]:
    """A refused form's values as typed, decrypted where they were kept encrypted (unreadable: blank)."""
    if name not in SENT_BACK_ENCRYPTED:
        return values
    try:
        return [encryption.decrypt(value) for value in values]
    except encryption.UndecryptableData:  # the key changed in between: typed again
        return []


def _guess_limits(request) -> list[tuple[str, int]]:
    """The cache keys counting wrong invitation codes for this request, each with its limit."""
    return [
        (f"invitation-guesses:account:{request.user.pk}", INVITATION_GUESSES),
        (
            f"invitation-guesses:address:{get_account_adapter().get_client_ip(request)}",
            INVITATION_GUESSES_PER_ADDRESS,
        ),
    ]


def guesses_exhausted(request) -> bool:
    """Whether this account, or its address, has tried too many wrong invitation codes lately."""
    return any(cache.get(key, 0) >= limit for key, limit in _guess_limits(request))


def count_wrong_guess(request) -> None:
    """Count one wrong invitation code for this account and address (the window starts at the first)."""
    for key, _limit in _guess_limits(request):
        if not cache.add(key, 1, INVITATION_GUESS_WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, INVITATION_GUESS_WINDOW_SECONDS)


# Never cached: Back asks the server again and shows the registration as it is now.
@method_decorator(never_cache, name="dispatch")
class RegisterView(LoginRequiredMixin, EventTimeZoneMixin, FormView):
    """Register for an edition, or edit the registration while registration is open.

    On an edition by invitation, registering needs a valid `?invitation=<code>` (also sent back as
    a hidden field); without one the page says why and offers nothing else, and so does a POST."""

    template_name = "delegates/registration_form.html"
    form_class = RegistrationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.focal_point_invitation is not None:
            # The one place that decides: this code makes a focal point, it does not register anyone
            # (so it needs neither a profile nor an open registration window).
            return self.focal_point(request)
        if request.user.is_authenticated and not Profile.objects.filter(user=request.user).exists():
            messages.info(request, _("Please tell us who you are first."))
            return redirect(f"{reverse('delegates:profile')}?next={quote(request.get_full_path(), safe='/')}")
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def invitation_code(self) -> str:
        """The code the delegate came with (the hidden field of a refused POST, else the link's)."""
        code = self.request.POST.get("invitation") or self.request.GET.get("invitation") or ""
        return code.strip()[:64]

    @cached_property
    def invitation(self):
        """The edition's invitation with this code, or None (a code of another edition is unknown here).

        Without a code, a delegate registering again comes back with their cancelled registration's."""
        if not self.invitation_code:
            return self.previous.invitation if self.previous is not None else None
        return self.event.invitations.select_related("delegation").filter(code=self.invitation_code).first()

    @cached_property
    def focal_point_invitation(self):
        """The invitation given, when it makes its holder a focal point of its delegation, else None."""
        invitation = self.invitation
        if invitation is not None and invitation.makes_focal_point and invitation.delegation_id:
            return invitation
        return None

    def focal_point(self, request):
        """Offer a focal point invitation (GET) or accept it (POST); refusals as for registering."""
        delegation = self.focal_point_invitation.delegation
        if permissions.is_focal_point(request.user, delegation):  # accepted before: nothing to use
            return redirect("delegates:delegation", delegation.pk)
        if request.method not in ("GET", "HEAD", "POST"):
            return self.http_method_not_allowed(request)
        refusal = self.refused()
        if refusal is not None:
            return refusal
        if request.method == "POST":
            return self.accept_focal_point(request)
        context = {"event": self.event, "invitation": self.focal_point_invitation, "delegation": delegation}
        return TemplateResponse(request, "delegates/registration_focal_point.html", context)

    def accept_focal_point(self, request):
        """Become the delegation's focal point and go to its page (Busy is left to BusyMiddleware)."""
        try:
            delegation = invitations.accept_focal_point_invitation(
                invitation=self.focal_point_invitation, user=request.user
            )
        except services.Busy:
            raise
        except services.RegistrationError as error:
            context = {"event": self.event, "refusal": error.violations[0]}
            return TemplateResponse(request, "delegates/registration_invitation.html", context, status=403)
        messages.success(
            request,
            _("You are now a focal point of the delegation “%(name)s”: register its members here.")
            % {"name": delegation.name},
        )
        return redirect("delegates:delegation", delegation.pk)

    def invitation_refusal(self):
        """Why this delegate may not register with the code given (a Violation), or None."""
        if self.registration is not None and self.focal_point_invitation is None:
            return None  # editing one's own registration needs no code
        if self.invitation_code and self.invitation is None:
            return rules.invitation_violation("invitation_unknown")
        violations = rules.check_invitation(
            event=self.event,
            invitation=self.invitation,
            email=self.request.user.email,
            returning=rules.returning_with(self.previous, self.invitation),
        )
        return violations[0] if violations else None

    def refused(self):
        """The page that says why registering is refused, and offers nothing else (429 after many guesses)."""
        if self.invitation_code and guesses_exhausted(self.request):
            context = {"event": self.event}
            return TemplateResponse(self.request, "delegates/registration_guesses.html", context, status=429)
        refusal = self.invitation_refusal()
        if refusal is None:
            return None
        if refusal.code == "invitation_unknown":
            count_wrong_guess(self.request)
        context = {"event": self.event, "refusal": refusal}
        return TemplateResponse(self.request, "delegates/registration_invitation.html", context, status=403)

    def post(self, request, *args, **kwargs):
        return self.refused() or self.stale() or super().post(request, *args, **kwargs)

    def stale(self):
        """A form sent again after the registration changed (sent twice, Back and send, another tab)
        changes nothing: say so and show the registration as it is now."""
        sent = self.request.POST.get("version")
        if sent is None or sent == form_version(self.registration):  # None: a client without the field
            return None
        if sent == NEW_REGISTRATION and self.registration is not None:
            messages.info(self.request, _("This form was already sent: here is your registration."))
            return redirect("delegates:me")
        messages.warning(
            self.request,
            _(
                "Your registration changed after this form was opened (in another tab, or by the "
                "organizers), so nothing was saved. Here it is as it is now."
            ),
        )
        return self.back_to_form()

    @cached_property
    def found(self):
        """The delegate's registration for this edition in any state, or None."""
        return selectors.find_own_registration(self.request.user, self.event)

    @cached_property
    def registration(self):
        """The delegate's active registration to edit; None to register (again)."""
        registration = self.found
        if registration and registration.status in (
            registration.Status.CANCELLED,
            registration.Status.REJECTED,
        ):
            return None
        return registration

    @cached_property
    def previous(self):
        """The delegate's cancelled registration, whose choices a new one starts from; else None."""
        if self.found is not None and self.found.status == self.found.Status.CANCELLED:
            return self.found
        return None

    @cached_property
    def sent_back(self) -> dict | None:
        """What a refused form held and why it was refused, kept for this one GET (post/redirect/get)."""
        if self.request.method != "GET":
            return None
        return self.request.session.pop(self.sent_back_key, None)

    @property
    def sent_back_key(self) -> str:
        """Where the session keeps a refused form of this edition until the form is shown again."""
        return drafts.registration_form(self.event.pk)

    def get(self, request, *args, **kwargs):
        if not self.event.is_registration_open():
            return self.closed()
        return self.refused() or super().get(request, *args, **kwargs)

    def back_to_form(self):
        """See Other: the form again, by GET (with the invitation code it was opened with)."""
        url = self.request.path
        if self.invitation_code:
            url += f"?invitation={quote(self.invitation_code, safe='')}"
        response = HttpResponseRedirect(url)
        response.status_code = 303
        return response

    def send_back(self, form, violations=()):
        """Keep what was typed and why it was refused for the next GET of the form, and go there.

        The browser's history then holds only GETs: Back never shows a refused POST."""
        data = {
            name: form.data.getlist(name)
            for name in form.data
            if name not in ("csrfmiddlewaretoken", "version")
        }
        for name in SENT_BACK_ENCRYPTED:  # the session is stored in clear: passport data goes there encrypted
            if name in data:
                data[name] = [encryption.encrypt(value) for value in data[name]]
        self.request.session[self.sent_back_key] = {
            "data": data,
            "violations": [
                [violation.code, str(violation.message), violation.field] for violation in violations
            ],
        }
        return self.back_to_form()

    def form_invalid(self, form):
        if self.request.method == "POST":
            return self.send_back(form)
        return super().form_invalid(form)

    def closed(self):
        """Say registration is not open (and where an existing registration can be seen)."""
        self.request.session.pop(self.sent_back_key, None)  # a form refused as registration closed
        context = {"event": self.event, "registration": self.registration}
        if self.event.registration_state() == "closed":  # when, with the edition's zone and offset
            context["closed_zone"] = zone_label(self.event.time_zone, self.event.registration_closes_at)
        return TemplateResponse(self.request, "delegates/registration_closed.html", context)

    def get_initial(self):
        """A new registration after a cancelled one starts from its choices (passport masked, kept if left blank)."""
        if self.registration is not None or self.previous is None:
            return super().get_initial()
        previous = self.previous
        initial = {
            name: getattr(previous, name)
            for name in RegistrationDetails.field_names()
            if name not in (*PASSPORT_FIELDS, "consent_version")
        }
        initial["sub_forums"] = [
            sub_forum.pk for sub_forum in previous.sub_forums.all() if sub_forum.offers(previous.mode)
        ]
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["event"] = self.event
        kwargs["instance"] = self.registration
        kwargs["user"] = self.request.user
        kwargs["previous"] = self.previous if self.registration is None else None
        if self.sent_back is not None:
            data = QueryDict(mutable=True)
            for name, values in self.sent_back["data"].items():
                data.setlist(name, sent_back_values(name, values))
            kwargs["data"] = data
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if self.registration is None and self.invitation is not None and self.invitation.category:
            form.fix_category(self.invitation.category)
        if self.sent_back is not None and form.is_valid():  # parsed: the refusal was the rules'
            form.show(rules.Violation(*violation) for violation in self.sent_back["violations"])
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["event"] = self.event
        context["registration"] = self.registration
        context["invitation"] = self.invitation if self.registration is None else None
        context["previous"] = self.previous if self.registration is None else None
        context["version"] = form_version(self.registration)
        return context

    def form_valid(self, form):
        sub_forums = list(form.cleaned_data["sub_forums"])
        details = form.details(consent_version=PRIVACY_NOTICE_VERSION)
        try:
            if self.registration is None:
                registration = services.submit_registration(
                    event=self.event,
                    user=self.request.user,
                    details=details,
                    sub_forums=sub_forums,
                    invitation=self.invitation,
                )
            else:
                registration = services.edit_registration(
                    registration=self.registration,
                    details=details,
                    sub_forums=sub_forums,
                    actor=self.request.user,
                )
        except services.Busy as error:  # the form comes back as typed at once, to be sent again
            form.show_violations(error)
            response = super().form_invalid(form)
            response.status_code = 503
            response["Retry-After"] = str(BusyMiddleware.RETRY_AFTER_SECONDS)
            return response
        except services.RegistrationError as error:
            return self.send_back(form, error.violations)
        if self.registration is None:
            messages.success(self.request, _status_message(registration))
        else:
            messages.success(self.request, _("Your changes are saved."))
        return redirect("delegates:me")


NEW_REGISTRATION = "new"


def form_version(registration) -> str:
    """What a registration form was opened on: a new registration, or the registration's last change."""
    return (
        NEW_REGISTRATION
        if registration is None
        else f"{registration.pk}:{registration.updated_at.isoformat()}"
    )


def _status_message(registration) -> str:
    """What the delegate is told after submitting."""
    Status = registration.Status
    return {
        Status.PENDING: _("Your registration is received and waits for the organizers' approval."),
        Status.APPROVED: _("Your registration is approved."),
        Status.WAITLISTED: _("The edition is full: you are on the waiting list."),
    }.get(registration.status, _("Your registration is saved."))


class MyRegistrationsView(LoginRequiredMixin, TemplateView):
    """My registrations with status, seats, positions, next steps and, when allowed, stream links."""

    template_name = "delegates/me.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registrations"] = selectors.my_registrations(self.request.user)
        context["profile"] = Profile.objects.filter(user=self.request.user).first()
        context["focal_delegations"] = list(
            permissions.focal_delegations(self.request.user)
            .select_related("event")
            .order_by("-event__start_on", "pk")
        )
        return context


class CancelView(LoginRequiredMixin, EventTimeZoneMixin, FormView):
    """Ask for confirmation, then cancel the signed-in delegate's own registration."""

    template_name = "delegates/cancel_form.html"
    form_class = CancelForm

    @cached_property
    def registration(self):
        return selectors.own_registration(self.request.user, self.event)

    def get(self, request, *args, **kwargs):
        if not self.registration.is_active:
            messages.info(request, _("This registration is no longer active."))
            return redirect("delegates:me")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["registration"] = self.registration
        context["event"] = self.event
        return context

    def form_valid(self, form):
        try:
            services.cancel_registration(registration=self.registration, actor=self.request.user)
        except services.RegistrationError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _("Your registration is cancelled."))
        return redirect("delegates:me")


def my_badge(request, event_slug):
    """The signed-in delegate's own badge, once approved to attend in person."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    event = public_event(event_slug)
    registration = get_object_or_404(
        selectors.badge_holders(request.user.registrations.filter(event=event)), event=event
    )
    pdf = badge_pdf(event, [registration])
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{event.slug}-badge.pdf"'},
    )


class ConsentView(LoginRequiredMixin, FormView):
    """Imported by their delegation, a delegate confirms the details and gives consent."""

    template_name = "delegates/consent_form.html"
    form_class = ConsentForm

    @cached_property
    def registration(self):
        return selectors.own_registration(self.request.user, public_event(self.kwargs["event_slug"]))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "registration": self.registration,
                "event": self.registration.event,
                "profile": self.request.user.profile,
            }
        )
        return context

    def form_valid(self, form):
        services.give_consent(
            registration=self.registration, version=PRIVACY_NOTICE_VERSION, actor=self.request.user
        )
        messages.success(self.request, _("Thank you: your registration is confirmed."))
        return redirect("delegates:me")


def set_language(request):
    """Django's language switch; a signed-in delegate's choice is also kept for their emails."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(language):
        Profile.objects.filter(user=request.user).update(preferred_language=language)
    return response
