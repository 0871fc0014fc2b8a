import datetime
import uuid
import zoneinfo
from pathlib import Path

from django.contrib.humanize.templatetags.humanize import ordinal as localized_ordinal
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def _random_name(folder, filename):
    """A random file name in `folder`, keeping the extension, so no upload URL can be guessed."""
    return f"{folder}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


def speaker_photo_path(instance, filename):
    """Where a speaker's photo is stored."""
    return _random_name("speakers", filename)


def exhibit_image_path(instance, filename):
    """Where an exhibit's picture is stored."""
    return _random_name("exhibits", filename)


def document_file_path(instance, filename):
    """Where a document's PDF is stored: a random `.pdf` name in its edition's folder.

    The form accepts PDF content only, so the name says PDF whatever the uploader called the file."""
    return f"documents/{instance.event_id}/{uuid.uuid4().hex}.pdf"


def validate_time_zone(value):
    """Accept only IANA time-zone names such as "Asia/Shanghai"."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class AttendanceMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class Honorific(models.TextChoices):
    """How a speaker or a delegate is addressed."""

    NONE = "", _("(none)")
    HE = "he", _("H.E.")
    DR = "dr", _("Dr")
    PROF = "prof", _("Prof.")
    MR = "mr", _("Mr")
    MS = "ms", _("Ms")


class Organization(models.Model):
    """A government, international organization, company, institute or outlet."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        INTERNATIONAL = "international", _("International organization")
        BUSINESS = "business", _("Business")
        ACADEMIA = "academia", _("Academia")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    country = CountryField(_("country"), blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self):
        return self.name


class EventQuerySet(models.QuerySet):
    def published(self):
        """Editions the public may see: published or archived, never drafts."""
        return self.filter(status__in=[Event.Status.PUBLISHED, Event.Status.ARCHIVED])

    def upcoming(self, today=None):
        """Editions that have not ended yet, soonest first."""
        today = today or timezone.localdate()
        return self.filter(end_on__gte=today).order_by("start_on", "pk")

    def past(self, today=None):
        """Editions that have ended, most recent first."""
        today = today or timezone.localdate()
        return self.filter(end_on__lt=today).order_by("-start_on", "-pk")

    def current(self, today=None):
        """The edition the site leads with: the next upcoming published one, else the latest."""
        published = self.published()
        return published.upcoming(today).first() or published.order_by("-start_on", "-pk").first()


SERIES_NAME = "China–Central Asia Cooperation Forum"


class Event(models.Model):
    """One edition of the forum series."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Access(models.TextChoices):
        OPEN = "open", _("Open to anyone with an account")
        INVITATION = "invitation", _("By invitation only")

    series_name = models.CharField(_("series name"), max_length=200)
    edition_number = models.PositiveSmallIntegerField(_("edition number"))
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    theme = models.CharField(_("theme"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True)
    is_sample = models.BooleanField(
        _("sample content"), default=False, help_text=_("Shown with a 'sample' label on every page.")
    )
    city = models.CharField(_("city"), max_length=120)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    country = CountryField(_("country"), default="CN")
    time_zone = models.CharField(
        _("time zone"), max_length=64, validators=[validate_time_zone], default="Asia/Shanghai"
    )
    start_on = models.DateField(_("first day"))
    end_on = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.DRAFT)
    access = models.CharField(
        _("who may register"),
        max_length=12,
        choices=Access,
        default=Access.OPEN,
        help_text=_("By invitation: only people with a valid invitation code can register."),
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("In the edition's local time.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("In the edition's local time.")
    )
    in_person_capacity = models.PositiveIntegerField(
        _("in-person capacity"), null=True, blank=True, help_text=_("Blank means unlimited.")
    )
    online_capacity = models.PositiveIntegerField(
        _("online capacity"), null=True, blank=True, help_text=_("Blank means unlimited.")
    )
    requires_approval = models.BooleanField(_("registrations need approval"), default=True)
    travel_days_before = models.PositiveSmallIntegerField(
        _("travel window: days before"),
        default=3,
        help_text=_("Arrivals may be this many days before the first day."),
    )
    travel_days_after = models.PositiveSmallIntegerField(
        _("travel window: days after"),
        default=3,
        help_text=_("Departures may be this many days after the last day."),
    )
    organizations = models.ManyToManyField(
        Organization, through="EventRole", related_name="events", verbose_name=_("hosts and organisers")
    )
    passport_retention_days = models.PositiveSmallIntegerField(
        _("passport data kept: days after the last day"),
        default=30,
        help_text=_("Passport numbers, nationalities, birth and expiry dates are then blanked."),
    )
    personal_data_retention_days = models.PositiveSmallIntegerField(
        _("personal data kept: days after the last day"),
        default=365,
        help_text=_("Every registration's personal data is then anonymised; the totals stay."),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    media_contact_name = models.CharField(_("media contact"), max_length=200, blank=True)
    media_contact_organization = models.CharField(
        _("media contact's organization"), max_length=200, blank=True
    )
    media_contact_email = models.EmailField(_("media contact email"), blank=True)
    media_contact_website = models.URLField(_("media contact website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-start_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__gte=models.F("start_on")), name="event_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(registration_opens_at__isnull=True)
                | Q(registration_closes_at__isnull=True)
                | Q(registration_closes_at__gt=models.F("registration_opens_at")),
                name="event_registration_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(in_person_capacity__isnull=True) | Q(in_person_capacity__gte=0),
                name="event_in_person_capacity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(online_capacity__isnull=True) | Q(online_capacity__gte=0),
                name="event_online_capacity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(personal_data_retention_days__gte=models.F("passport_retention_days")),
                name="event_personal_data_kept_as_long_as_passports",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        """Personal data is not kept for less time than the passport data it includes."""
        super().clean()
        passport, personal = self.passport_retention_days, self.personal_data_retention_days
        if passport is not None and personal is not None and personal < passport:
            raise ValidationError(
                {
                    "personal_data_retention_days": _(
                        "Keep personal data at least as long as passport data (%(days)d days)."
                    )
                    % {"days": passport}
                }
            )

    @property
    def title(self):
        """The edition's full name in the reader's language: "8th China–Central Asia Cooperation Forum".

        A sample edition has no number in the series: "China–Central Asia Cooperation Forum: sample edition"."""
        if self.is_sample:
            # Translators: the name of a demonstration edition, which has no place in the real series.
            return gettext("%(series)s: sample edition") % {"series": capfirst(self.series_name)}
        # Translators: an edition's name from its ordinal ("8th", "第八", "8-й") and the series' name.
        return gettext("%(ordinal)s %(series)s") % {
            "ordinal": edition_ordinal(self.edition_number),
            "series": self.series_name,
        }

    @property
    def edition_label(self) -> str:
        """The edition's place in the series, short ("8th", "第八", "8-й"), or "sample edition" for a sample one."""
        if self.is_sample:
            return gettext("sample edition")
        return edition_ordinal(self.edition_number)

    @property
    def content_version(self):
        """Changes whenever the edition or anything in it changes (see signals.py); keys caches."""
        return self.updated_at.timestamp()

    @property
    def tz(self):
        """The edition's time zone as a tzinfo."""
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_public(self):
        """Whether visitors may see this edition."""
        return self.status != self.Status.DRAFT

    def starts_at(self):
        """Midnight of the first day in the edition's time zone."""
        return datetime.datetime.combine(self.start_on, datetime.time.min, tzinfo=self.tz)

    def ends_at(self):
        """Midnight after the last day in the edition's time zone."""
        return datetime.datetime.combine(
            self.end_on + datetime.timedelta(days=1), datetime.time.min, tzinfo=self.tz
        )

    def registration_state(self, now=None):
        """One of "open", "not_yet", "closed", "past" (the edition is over) or "none" (no window)."""
        now = now or timezone.now()
        if now >= self.ends_at():
            return "past"
        if not self.registration_opens_at or not self.registration_closes_at:
            return "none"
        if now < self.registration_opens_at:
            return "not_yet"
        if now >= self.registration_closes_at:
            return "closed"
        return "open"

    def is_registration_open(self, now=None):
        """Whether the registration window is open at `now`."""
        return self.registration_state(now) == "open"

    def travel_window(self):
        """The first arrival day and the last departure day allowed."""
        return (
            self.start_on - datetime.timedelta(days=self.travel_days_before),
            self.end_on + datetime.timedelta(days=self.travel_days_after),
        )


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """A number below 10,000 in Chinese numerals, as editions are counted: 8 八, 12 十二, 21 二十一, 105 一百零五."""
    if number < 10:
        return CHINESE_DIGITS[number]
    if number < 20:
        return "十" + (CHINESE_DIGITS[number % 10] if number % 10 else "")
    text = ""
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            text += CHINESE_DIGITS[digit] + unit
        elif text and number % value and not text.endswith("零"):
            text += "零"
    return text


def edition_ordinal(number: int) -> str:
    """The ordinal of an edition in the reader's language: "8th", "第八" (Chinese numerals), "8-й"."""
    language = get_language() or ""
    if language.startswith("zh") and 0 < number < 10000:
        return f"第{chinese_number(number)}"
    if language.startswith("ru"):  # Django's catalogue lacks "1-й" (it gives "1st"): one ending fits all
        return f"{number}-й"
    return localized_ordinal(number)


def ordinal(number):
    """English ordinal of a positive number, for slugs: 1st, 2nd, 3rd, 8th, 11th, 22nd."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


class EventRole(models.Model):
    """An organization's role in one edition: host, organiser, partner."""

    class Role(models.TextChoices):
        HOST = "host", _("Host")
        ORGANISER = "organiser", _("Organiser")
        PARTNER = "partner", _("Partner")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="roles", verbose_name=_("edition")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="roles", verbose_name=_("organization")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.HOST)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("host or organiser")
        verbose_name_plural = _("hosts and organisers")
        ordering = ["role", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organization", "role"], name="eventrole_unique_per_event"
            ),
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()})"


class SubForum(models.Model):
    """A session of an edition: a ceremony, plenary, sub-forum or side event."""

    class Kind(models.TextChoices):
        CEREMONY = "ceremony", _("Ceremony")
        PLENARY = "plenary", _("Plenary")
        SUB_FORUM = "sub_forum", _("Sub-forum")
        SIDE_EVENT = "side_event", _("Side event")

    class Modes(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        BOTH = "both", _("In person and online")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="sub_forums", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind, default=Kind.SUB_FORUM)
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    summary = models.TextField(_("summary"), blank=True)
    starts_at = models.DateTimeField(_("starts"), help_text=_("In the edition's local time."))
    ends_at = models.DateTimeField(_("ends"), help_text=_("In the edition's local time."))
    room = models.CharField(_("room"), max_length=120, blank=True)
    modes = models.CharField(_("attendance modes offered"), max_length=10, choices=Modes, default=Modes.BOTH)
    in_person_capacity = models.PositiveIntegerField(
        _("in-person capacity"), null=True, blank=True, help_text=_("Blank means unlimited.")
    )
    interpretation_languages = models.CharField(
        _("interpretation languages"),
        max_length=100,
        blank=True,
        help_text=_("For example: Chinese, Russian, English."),
    )
    stream_url = models.URLField(
        _("stream link"),
        blank=True,
        help_text=_("Private: shown only to delegates approved for online attendance."),
    )
    is_sample = models.BooleanField(
        _("sample time and room"),
        default=False,
        help_text=_(
            "The time, room, capacity and interpretation are invented (demonstration data): "
            "they are shown with a 'sample' label."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sub-forum")
        verbose_name_plural = _("sub-forums")
        ordering = ["starts_at", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="subforum_slug_unique_per_event"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="subforum_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(in_person_capacity__isnull=True) | Q(in_person_capacity__gte=0),
                name="subforum_capacity_not_negative",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:sub_forum", kwargs={"event_slug": self.event.slug, "slug": self.slug})

    def clean(self):
        """A sub-forum lies within its edition's days, in the edition's time zone."""
        super().clean()
        # The edition may still be unsaved when it is created with its sub-forums inline.
        event = getattr(self, "event", None)
        if not (event and event.start_on and event.end_on and self.starts_at and self.ends_at):
            return
        if self.starts_at < event.starts_at() or self.ends_at > event.ends_at():
            raise ValidationError(
                _("A sub-forum must take place between %(start)s and %(end)s (%(tz)s).")
                % {"start": event.start_on, "end": event.end_on, "tz": event.time_zone}
            )

    @property
    def offers_online(self):
        """Whether delegates can follow this session online."""
        return self.modes in (self.Modes.ONLINE, self.Modes.BOTH)

    @property
    def offers_in_person(self):
        """Whether delegates can attend this session in the room."""
        return self.modes in (self.Modes.IN_PERSON, self.Modes.BOTH)

    def offers(self, mode: str) -> bool:
        """Whether delegates can attend this session in this attendance mode."""
        return self.offers_in_person if mode == AttendanceMode.IN_PERSON else self.offers_online


class Speaker(models.Model):
    """A person who speaks at one or more editions."""

    Honorific = Honorific

    name_native = models.CharField(
        _("name in native script"), max_length=200, blank=True, help_text=_("For example 刘格华.")
    )
    name_latin = models.CharField(_("name in Latin letters"), max_length=200)
    honorific = models.CharField(_("honorific"), max_length=8, choices=Honorific, blank=True)
    position = models.CharField(_("position"), max_length=300, blank=True)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="speakers",
        verbose_name=_("organization"),
    )
    country = CountryField(_("country"), blank=True)
    protocol_rank = models.PositiveSmallIntegerField(
        _("protocol rank"), default=100, help_text=_("Lower numbers are listed first.")
    )
    photo = models.ImageField(_("photo"), upload_to=speaker_photo_path, blank=True)
    bio = models.TextField(_("biography"), blank=True)

    class Meta:
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        ordering = ["protocol_rank", "name_latin", "pk"]

    def __str__(self):
        return self.name_latin

    @property
    def display_name(self):
        """Native-script name first, Latin letters beside it when they differ."""
        if self.name_native and self.name_native != self.name_latin:
            return f"{self.name_native} ({self.name_latin})"
        return self.name_latin


class Appearance(models.Model):
    """A speaker's role in one sub-forum."""

    class Role(models.TextChoices):
        KEYNOTE = "keynote", _("Keynote")
        MODERATOR = "moderator", _("Moderator")
        PANELIST = "panelist", _("Panelist")
        SPEAKER = "speaker", _("Speaker")

    sub_forum = models.ForeignKey(
        SubForum, on_delete=models.CASCADE, related_name="appearances", verbose_name=_("sub-forum")
    )
    speaker = models.ForeignKey(
        Speaker, on_delete=models.CASCADE, related_name="appearances", verbose_name=_("speaker")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role, default=Role.SPEAKER)
    is_sample = models.BooleanField(
        _("sample appearance"),
        default=False,
        help_text=_("Invented (demonstration data): the sources do not say so; shown with a 'sample' label."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("appearance")
        verbose_name_plural = _("appearances")
        ordering = ["order", "speaker__protocol_rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["sub_forum", "speaker", "role"], name="appearance_unique_role"),
        ]

    def __str__(self):
        return f"{self.speaker} – {self.get_role_display()} – {self.sub_forum}"


class Sector(models.Model):
    """An industry an exhibit serves (satellite navigation, green development...)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Exhibit(models.Model):
    """A stand of the edition's themed exhibit."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="exhibits", verbose_name=_("edition")
    )
    exhibitor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exhibits",
        verbose_name=_("exhibitor"),
        help_text=_("Blank when the sources do not say who exhibits."),
    )
    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100)
    summary = models.TextField(_("summary"), blank=True)
    description = models.TextField(_("description"), blank=True)
    sectors = models.ManyToManyField(Sector, related_name="exhibits", blank=True, verbose_name=_("sectors"))
    countries_served = CountryField(_("countries served"), multiple=True, blank=True)
    hall = models.CharField(_("hall"), max_length=60, blank=True)
    booth = models.CharField(_("booth"), max_length=30, blank=True)
    image = models.ImageField(_("image"), upload_to=exhibit_image_path, blank=True)
    image_alt = models.CharField(
        _("image description"), max_length=200, blank=True, help_text=_("Read by screen readers.")
    )
    website = models.URLField(_("website"), blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_featured = models.BooleanField(_("featured"), default=False)

    class Meta:
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")
        ordering = ["-is_featured", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="exhibit_slug_unique_per_event"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:exhibit", kwargs={"event_slug": self.event.slug, "slug": self.slug})


class Document(models.Model):
    """An outcome document or a piece of news of an edition."""

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("Outcome document")
        PRESS_RELEASE = "press_release", _("Press release")
        NEWS = "news", _("News")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="documents", verbose_name=_("edition")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.NEWS)
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=100)
    published_on = models.DateField(_("published on"))
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to=document_file_path, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-published_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "slug"], name="document_slug_unique_per_event"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:document", kwargs={"event_slug": self.event.slug, "slug": self.slug})
