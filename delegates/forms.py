"""Forms of the delegate pages: profile and registration. Every rule is checked here, on the server."""

import datetime

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from events.models import AttendanceMode, Event, SubForum

from .models import Profile, Registration
from .services import REGISTRATION_FIELDS

PRIVACY_NOTICE_VERSION = "2026-11"
# Names as printed in the machine-readable zone of a passport: Latin letters, spaces, hyphens,
# apostrophes and dots (accented letters allowed, as many passports print them).
LATIN_NAME = RegexValidator(
    r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ž' .-]+$",
    _("Use Latin letters as in your passport (for example Aigerim, not Айгерим)."),
)
PASSPORT_NUMBER = RegexValidator(
    r"^[A-Z0-9]{5,20}$", _("Use 5 to 20 Latin capital letters and digits, without spaces.")
)
EARLIEST_BIRTH_DATE = datetime.date(1900, 1, 1)
PASSPORT_FIELDS = ("passport_number", "passport_nationality", "passport_birth_date", "passport_expires_on")
PASSPORT_VALID_AFTER_EVENT = datetime.timedelta(days=183)


class ProfileForm(forms.ModelForm):
    """Who the delegate is, as on their passport."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("given_name_latin", "family_name_latin"):
            self.fields[name].validators.append(LATIN_NAME)

    phone = PhoneNumberField(
        label=_("Phone"),
        region=None,
        help_text=_("International format, starting with + and the country code, e.g. +7 701 234 5678."),
    )

    class Meta:
        model = Profile
        fields = [
            "honorific",
            "given_name_native",
            "family_name_native",
            "given_name_latin",
            "family_name_latin",
            "position",
            "organization",
            "country",
            "phone",
            "preferred_language",
        ]


class SubForumCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that tell the page script which attendance modes each sub-forum offers."""

    def create_option(self, name, value, *args, **kwargs):
        """Add data-modes="in_person|online|both" to each checkbox."""
        option = super().create_option(name, value, *args, **kwargs)
        if hasattr(value, "instance"):
            option["attrs"]["data-modes"] = value.instance.modes
        return option


class SubForumChoiceField(forms.ModelMultipleChoiceField):
    """Sub-forums as checkboxes labelled with their title and the modes they offer."""

    widget = SubForumCheckboxes

    def label_from_instance(self, sub_forum):
        """Title, then how it can be attended."""
        return f"{sub_forum.title} ({sub_forum.get_modes_display()})"


class RegistrationForm(forms.ModelForm):
    """A registration for one edition; times are entered in the edition's time zone."""

    sub_forums = SubForumChoiceField(label=_("Sub-forums"), queryset=SubForum.objects.none(), required=False)
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my data is processed to organize my participation."
        ),
        required=True,
    )

    class Meta:
        model = Registration
        # The fields the registration services take, except consent (set from the checkbox below).
        fields = [*(name for name in REGISTRATION_FIELDS if name != "consent_version"), "sub_forums"]
        widgets = {
            "mode": forms.RadioSelect,
            "arrival_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "departure_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "passport_birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "passport_expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, event: Event, now: datetime.datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.now = now or timezone.now()
        self.fields["sub_forums"].queryset = event.sub_forums.all()
        self.fields["mode"].choices = AttendanceMode.choices
        if self.instance.pk:
            self.initial["sub_forums"] = list(self.instance.seats.values_list("sub_forum_id", flat=True))
            self.fields["consent"].initial = True
            self._hide_stored_passport()
        start, end = event.travel_window()
        self.fields["arrival_at"].help_text = _("Local time in %(tz)s, between %(start)s and %(end)s.") % {
            "tz": event.time_zone,
            "start": start,
            "end": end,
        }
        self.fields["departure_at"].help_text = self.fields["arrival_at"].help_text
        self.fields["interpretation_language"].choices = settings.LANGUAGES

    def _hide_stored_passport(self):
        """Never send a stored passport back to the browser: show it masked, keep it if left blank."""
        if not self.instance.passport_number:
            return
        for name in PASSPORT_FIELDS:
            self.initial[name] = None
        self.fields["passport_number"].help_text = _(
            "Stored as %(masked)s. Leave the passport fields blank to keep them, or enter them all again."
        ) % {"masked": self.instance.passport_number_masked}

    def _keep_stored_passport(self, cleaned):
        """Blank passport fields on an edit keep the stored values."""
        if self.instance.pk and not any(cleaned.get(name) for name in PASSPORT_FIELDS):
            for name in PASSPORT_FIELDS:
                cleaned[name] = getattr(self.instance, name)

    def clean(self):
        """Check the window, the travel dates, the passport and the sub-forums against the edition."""
        cleaned = super().clean()
        if not self.event.is_registration_open(self.now):
            raise forms.ValidationError(
                _("Registration for this edition is not open."), code="registration_closed"
            )
        mode = cleaned.get("mode")
        if mode == AttendanceMode.IN_PERSON:
            self._clean_travel(cleaned)
        if cleaned.get("wants_visa_letter"):
            self._keep_stored_passport(cleaned)
            self._clean_passport(cleaned)
        self._clean_sub_forums(cleaned, mode)
        return cleaned

    def _clean_travel(self, cleaned):
        """In person: arrival and departure given, ordered, and within the travel window."""
        arrival, departure = cleaned.get("arrival_at"), cleaned.get("departure_at")
        for name in ("arrival_at", "departure_at"):
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Give your travel dates to attend in person."))
        first, last = self.event.travel_window()
        tz = self.event.tz
        for name, moment in (("arrival_at", arrival), ("departure_at", departure)):
            if moment and not first <= moment.astimezone(tz).date() <= last:
                self.add_error(
                    name, _("Choose a day between %(first)s and %(last)s.") % {"first": first, "last": last}
                )
        if arrival and departure and departure <= arrival:
            self.add_error("departure_at", _("Departure must be after arrival."))

    def _clean_passport(self, cleaned):
        """A visa letter needs the passport, valid at least six months after the edition ends."""
        for name in PASSPORT_FIELDS:
            if not cleaned.get(name) and name not in self.errors:
                self.add_error(name, _("Needed for the visa invitation letter."))
        expires = cleaned.get("passport_expires_on")
        if expires and expires < self.event.end_on + PASSPORT_VALID_AFTER_EVENT:
            self.add_error(
                "passport_expires_on",
                _("The passport must be valid at least six months after the forum (until %(date)s or later).")
                % {"date": self.event.end_on + PASSPORT_VALID_AFTER_EVENT},
            )
        birth = cleaned.get("passport_birth_date")
        if birth and not EARLIEST_BIRTH_DATE <= birth < timezone.localdate(self.now):
            self.add_error("passport_birth_date", _("Enter your date of birth as in your passport."))

    def clean_passport_number(self):
        """Passport numbers in capitals, without spaces; checked only when a letter is requested."""
        number = "".join(self.cleaned_data.get("passport_number", "").split()).upper()
        if number and self.data.get("wants_visa_letter"):
            PASSPORT_NUMBER(number)
        return number

    def _clean_sub_forums(self, cleaned, mode):
        """Each chosen sub-forum belongs to this edition and offers the chosen mode."""
        for sub_forum in cleaned.get("sub_forums") or []:
            if sub_forum.event_id != self.event.pk:
                self.add_error("sub_forums", _("Choose sub-forums of this edition."))
            elif mode == AttendanceMode.IN_PERSON and not sub_forum.offers_in_person:
                self.add_error(
                    "sub_forums", _("“%(title)s” cannot be attended in person.") % {"title": sub_forum.title}
                )
            elif mode == AttendanceMode.ONLINE and not sub_forum.offers_online:
                self.add_error(
                    "sub_forums", _("“%(title)s” is not streamed online.") % {"title": sub_forum.title}
                )

    def service_data(self) -> dict:
        """The cleaned values the services take, with the privacy notice version accepted."""
        data = {
            name: value for name, value in self.cleaned_data.items() if name not in ("sub_forums", "consent")
        }
        data["consent_version"] = PRIVACY_NOTICE_VERSION
        return data


class CancelForm(forms.Form):
    """The confirmation step of a cancellation."""

    confirm = forms.BooleanField(label=_("Yes, cancel my registration"), required=True)


class ConsentForm(forms.Form):
    """An imported delegate confirms their details and accepts the privacy notice."""

    consent = forms.BooleanField(
        label=_("My details are correct, and I accept the privacy notice."),
        required=True,
    )
