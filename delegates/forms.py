"""Forms of the delegate pages: profile and registration. They parse what people type; the rules a
registration must satisfy are delegates/rules.py's, and the forms show their coded violations."""

import zoneinfo
from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from events.models import AttendanceMode, Event, SubForum
from events.text import PlainTextFormMixin, hidden_character
from events.timezones import zone_label
from events.uploads import check_size

from . import rules
from .models import Profile, Registration
from .rules import PASSPORT_FIELDS, RegistrationDetails, RegistrationError

PRIVACY_NOTICE_VERSION = "2026-11"
# Names as printed in the machine-readable zone of a passport: Latin letters, spaces, hyphens,
# apostrophes and dots (accented letters allowed, as many passports print them).
LATIN_LETTERS = RegexValidator(
    r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ž' .-]+$",
    _("Use Latin letters as in your passport (for example Aigerim, not Айгерим)."),
)


def latin_name(value: str) -> None:
    """Latin letters as in a passport; an invisible character is left to the plain-text rule's message."""
    if not hidden_character(value):
        LATIN_LETTERS(value)


class ProfileForm(PlainTextFormMixin, forms.ModelForm):
    """Who the delegate is, as on their passport (plain text only: events/text.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("given_name_latin", "family_name_latin"):
            self.fields[name].validators.append(latin_name)

    phone = PhoneNumberField(
        label=_("Phone"),
        region=None,
        help_text=_("International format, starting with + and the country code, e.g. +7 701 234 5678."),
        # The same example as the help text (the library's own is an American number).
        error_messages={
            "invalid": _(
                "Enter a valid phone number in international format, starting with + and the country code, "
                "e.g. +7 701 234 5678."
            )
        },
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


# A session's weekday and day in the reader's language (Django's own month-day formats give
# "2 Июнь" and "06月2日"): "Wed, June 2", "Ср, 2 июня", "6月2日（星期三）".
SESSION_DAY_FORMATS = {"ru": "D, j E", "zh-hans": "n月j日（D）"}


def sub_forum_label(sub_forum: SubForum, time_zone: str) -> str:
    """Title, day and hours in the edition's zone (in the reader's date format), room, modes offered."""
    starts = sub_forum.starts_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    ends = sub_forum.ends_at.astimezone(zoneinfo.ZoneInfo(time_zone))
    day = date_format(starts, SESSION_DAY_FORMATS.get(translation.get_language(), "D, F j"))
    # Translators: when a session takes place: its day, start and end hours, and time zone.
    when = _("%(day)s, %(start)s–%(end)s (%(zone)s)") % {
        "day": day,
        "start": f"{starts:%H:%M}",
        "end": f"{ends:%H:%M}",
        "zone": zone_label(time_zone, starts),
    }
    parts = [sub_forum.title, when, sub_forum.room, sub_forum.get_modes_display()]
    return " · ".join(str(part) for part in parts if part)


class SubForumChoiceField(forms.ModelMultipleChoiceField):
    """Sub-forums as checkboxes labelled with their title, time, room and the modes they offer."""

    widget = SubForumCheckboxes
    time_zone = "UTC"  # the edition's, set by the form

    def label_from_instance(self, sub_forum):
        """Title, when and where, then how it can be attended."""
        return sub_forum_label(sub_forum, self.time_zone)


def page_language() -> str:
    """The working language the page is read in (English when it is none of them)."""
    language = translation.get_language() or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _details(values: dict, consent_version: str) -> RegistrationDetails:
    """Registration details from parsed form values (those the details hold; the country as its code)."""
    names = RegistrationDetails.field_names()
    details = {name: value for name, value in values.items() if name in names}
    details["passport_nationality"] = str(details.get("passport_nationality") or "")
    return RegistrationDetails(**{**details, "consent_version": consent_version})


class RegistrationForm(PlainTextFormMixin, forms.ModelForm):
    """A registration for one edition; times are entered in the edition's time zone; plain text only.

    The form parses; the services check every rule and `show_violations` puts their errors on the
    fields they concern, so a refused submit keeps everything the delegate typed."""

    sub_forums = SubForumChoiceField(label=_("Sub-forums"), queryset=SubForum.objects.none(), required=False)
    consent = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my data is processed to organize my participation."
        ),
        required=True,
    )
    # A rule's field name, where the form shows it under another name.
    FIELD_OF_RULE = {"consent_version": "consent"}

    class Meta:
        model = Registration
        # The details the registration services take, except consent (set from the checkbox below).
        fields = [
            *(name for name in RegistrationDetails.field_names() if name != "consent_version"),
            "sub_forums",
        ]
        widgets = {
            "mode": forms.RadioSelect,
            "arrival_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "departure_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "passport_birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "passport_expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(
        self,
        *args,
        event: Event,
        user,
        self_service: bool = True,
        previous: Registration | None = None,
        **kwargs,
    ):
        given = kwargs.get("initial") or {}
        super().__init__(*args, **kwargs)
        self.event = event
        self.user = user
        self.self_service = self_service
        # Whose stored passport blank passport fields keep: the registration edited, else the
        # cancelled one its owner registers again with.
        self.passport_holder = self.instance if self.instance.pk else previous
        self.fields["sub_forums"].queryset = event.sub_forums.all()
        self.fields["sub_forums"].time_zone = event.time_zone
        self.fields["sub_forums"].help_text = _(
            "Times are the edition's local time. In person you can be in one session at a time; online you "
            "may choose sessions held at the same time."
        )
        if not self.instance.pk and "interpretation_language" not in given:
            self.initial["interpretation_language"] = page_language()
        self.fields["mode"].choices = AttendanceMode.choices
        if self.instance.pk:
            self.initial["sub_forums"] = list(self.instance.seats.values_list("sub_forum_id", flat=True))
            self.fields["consent"].initial = True
        if self.passport_holder is not None:
            self._hide_stored_passport()
        start, end = event.travel_window()
        # Days written out in the reader's language ("Jan. 29, 2027"): unambiguous whichever order the
        # browser's date field shows day, month and year in.
        self.fields["arrival_at"].help_text = _(
            "Local time (%(tz)s): a day from %(start)s to %(end)s, and the hour. Pick both in the field."
        ) % {
            "tz": zone_label(event.time_zone, event.starts_at()),
            "start": date_format(start, "DATE_FORMAT"),
            "end": date_format(end, "DATE_FORMAT"),
        }
        self.fields["departure_at"].help_text = self.fields["arrival_at"].help_text
        self.fields["interpretation_language"].choices = settings.LANGUAGES

    def fix_category(self, category: str) -> None:
        """The invitation gives the category: shown, not chosen (a posted value is ignored)."""
        self.fields["category"].disabled = True
        self.fields["category"].initial = category
        self.initial["category"] = category

    def _hide_stored_passport(self):
        """Never send a stored passport back to the browser: show it masked, keep it if left blank."""
        if not self.passport_holder.passport_number:
            return
        for name in PASSPORT_FIELDS:
            self.initial[name] = None
        self.fields["passport_number"].help_text = _(
            "Stored as %(masked)s. Leave the passport fields blank to keep them, or enter them all again."
        ) % {"masked": self.passport_holder.passport_number_masked}

    def clean(self):
        """Blank passport fields keep the stored values (of the registration edited, or cancelled before)."""
        cleaned = super().clean()
        holder = self.passport_holder
        if holder is not None and not any(cleaned.get(name) for name in PASSPORT_FIELDS):
            for name in PASSPORT_FIELDS:
                cleaned[name] = getattr(holder, name)
        if self.errors:
            self._show_other_violations(cleaned)
        return cleaned

    def _show_other_violations(self, cleaned):
        """A form refused for what it could not parse also shows the rules the rest breaks, all at once.

        (A form that parses goes to the services, which check every rule with the locks held.)"""
        consent = "given" if cleaned.get("consent") or not self.self_service else ""
        violations = rules.check(
            event=self.event,
            profile=Profile.objects.filter(user=self.user).first(),
            details=_details({"category": "", "mode": "", **cleaned}, consent),
            sub_forums=cleaned.get("sub_forums") or [],
            self_service=self.self_service,
        )
        for violation in violations:
            name = self.FIELD_OF_RULE.get(violation.field, violation.field)
            if name not in self.errors:
                self.add_error(name if name in self.fields else None, violation.message)

    def validate_constraints(self):
        """The model's constraints are rules the services check (with the locks held), not the form."""

    def clean_passport_number(self):
        """Passport numbers in capitals, without spaces."""
        return "".join(self.cleaned_data.get("passport_number", "").split()).upper()

    def details(self, consent_version: str) -> RegistrationDetails:
        """The parsed details, with the version of the privacy notice the delegate accepted."""
        return _details(self.cleaned_data, consent_version)

    def show_violations(self, error: RegistrationError) -> None:
        """Put each broken rule's message on its field (the whole form's when it has none)."""
        self.show(error.violations)

    def show(self, violations: Iterable[rules.Violation]) -> None:
        """Put each of these violations' message on its field (the whole form's when it has none)."""
        for violation in violations:
            name = self.FIELD_OF_RULE.get(violation.field, violation.field)
            self.add_error(name if name in self.fields else None, violation.message)


class CancelForm(forms.Form):
    """The confirmation step of a cancellation: the page asks, its one button confirms."""


class ConsentForm(forms.Form):
    """An imported delegate confirms their details and accepts the privacy notice."""

    consent = forms.BooleanField(
        label=_("My details are correct, and I accept the privacy notice."),
        required=True,
    )


class ImportUploadForm(forms.Form):
    """The delegation list a staff member uploads, within the size cap (its content is imports.py's)."""

    file = forms.FileField(label=_("File"), error_messages={"required": _("Choose a file to upload.")})

    def clean_file(self):
        """Refuse a file over FORUM_MAX_IMPORT_BYTES before anything reads it."""
        upload = self.cleaned_data["file"]
        check_size(upload, settings.FORUM_MAX_IMPORT_BYTES)
        return upload


class MemberProfileForm(ProfileForm):
    """A new delegation member's email and profile, as their focal point enters them."""

    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The member is sent an email here to set a password, check the details and consent."),
    )
    field_order = ["email"]

    def clean_email(self):
        """Email addresses are compared without case; stored as typed, without surrounding spaces."""
        return self.cleaned_data["email"].strip()


class MemberRegistrationForm(RegistrationForm):
    """A member's registration as their focal point enters it: the member gives consent later, themselves."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["consent"]

    def _show_other_violations(self, cleaned):
        """The member's profile is on its own form: the rules are checked by the service once both parse."""


class MemberLogisticsForm(PlainTextFormMixin, forms.ModelForm):
    """The travel and needs of a member that their focal point may change (times in the edition's zone)."""

    class Meta:
        model = Registration
        fields = [
            "arrival_at",
            "departure_at",
            "flight",
            "needs_accommodation",
            "dietary_needs",
            "accessibility_needs",
        ]
        widgets = RegistrationForm.Meta.widgets

    def validate_constraints(self):
        """The model's constraints are rules the services check (with the locks held), not the form."""

    def details(self) -> RegistrationDetails:
        """The member's registration details with the logistics changed."""
        return RegistrationDetails.of(self.instance).replace(
            **{name: self.cleaned_data[name] for name in self.Meta.fields}
        )

    def show_violations(self, error: RegistrationError) -> None:
        """Put each broken rule's message on its field (the whole form's when it is not one of these)."""
        for violation in error.violations:
            name = violation.field if violation.field in self.fields else None
            self.add_error(name, violation.message)


class MemberCancelForm(forms.Form):
    """The confirmation step of a member's cancellation by their focal point: the page asks, its one button confirms."""
