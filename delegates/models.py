import secrets
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField

from events.inputs import without_nul
from events.models import AttendanceMode, Event, Honorific, SubForum

from .encryption import EncryptedCharField, EncryptedDateField


class UserManager(DjangoUserManager):
    """Creates accounts keyed by email; there is no username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        """Create and save a user with the given email and password."""
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        """Create an ordinary account."""
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        """Create an account with every permission."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        """Look accounts up by email regardless of case."""
        return self.get(email__iexact=email)


class User(AbstractUser):
    """An account, keyed by its email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email


class Profile(models.Model):
    """Who a delegate is, as on their passport; one per account."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("account")
    )
    honorific = models.CharField(_("honorific"), max_length=8, choices=Honorific, blank=True)
    given_name_native = models.CharField(_("given name (native script)"), max_length=100, blank=True)
    family_name_native = models.CharField(_("family name (native script)"), max_length=100, blank=True)
    given_name_latin = models.CharField(_("given name (Latin letters, as in the passport)"), max_length=100)
    family_name_latin = models.CharField(_("family name (Latin letters, as in the passport)"), max_length=100)
    position = models.CharField(_("position"), max_length=200)
    organization = models.CharField(_("organization"), max_length=255)
    country = CountryField(_("country"))
    phone = PhoneNumberField(_("phone"), help_text=_("International format, e.g. +7 701 234 5678."))
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.name_latin

    @property
    def name_latin(self):
        """Given and family name in Latin letters."""
        return f"{self.given_name_latin} {self.family_name_latin}".strip()

    @property
    def name_native(self):
        """The name in native script: family name first and unspaced in Chinese, else given first."""
        given, family = self.given_name_native.strip(), self.family_name_native.strip()
        if any("\u3000" <= char <= "\u9fff" for char in given + family):
            return f"{family}{given}"
        return f"{given} {family}".strip()

    def name_in(self, language: str | None = None) -> str:
        """The name as `language` writes it (the active one by default): the native script where it is
        that language's (王芳 in Chinese, Иван Петров in Russian), else the Latin letters."""
        return self._name_and_family_in(language)[0]

    @property
    def display_name(self) -> str:
        """The name as the active language writes it (see `name_in`)."""
        return self.name_in()

    @property
    def titled_name(self) -> str:
        """The name with its honorific as the active language sets it: "Ms Fang Wang", "王芳女士",
        "госпожа Анна Петрова"; the name alone without one."""
        frame = {
            Honorific.MR: gettext("Mr %(name)s"),
            Honorific.MS: gettext("Ms %(name)s"),
            Honorific.DR: gettext("Dr %(name)s"),
            Honorific.PROF: gettext("Prof. %(name)s"),
            Honorific.HE: gettext("H.E. %(name)s"),
        }.get(self.honorific, "%(name)s")
        return frame % {"name": self.display_name}

    @property
    def greeting(self) -> str:
        """The salutation of a letter in the active language, with the honorific as that language sets it:
        "Dear Ms Fang Wang,", "尊敬的王芳女士：", "Уважаемая госпожа Петрова!"."""
        name, family = self._name_and_family_in(None)
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language.startswith("ru") and self.honorific in (
            Honorific.MR,
            Honorific.MS,
            Honorific.DR,
            Honorific.PROF,
        ):
            name = family  # «господин Петров», «профессор Петрова»: in Russian a title takes the family name
        frame = {
            Honorific.MR: gettext("Dear Mr %(name)s,"),
            Honorific.MS: gettext("Dear Ms %(name)s,"),
            Honorific.DR: gettext("Dear Dr %(name)s,"),
            Honorific.PROF: gettext("Dear Prof. %(name)s,"),
            Honorific.HE: gettext("Dear H.E. %(name)s,"),
        }.get(self.honorific) or gettext("Dear %(name)s,")
        return frame % {"name": name}

    def _name_and_family_in(self, language: str | None) -> tuple[str, str]:
        """The full name and the family name as `language` writes them."""
        language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
        given, family = self.given_name_native.strip(), self.family_name_native.strip()
        native = [char for char in given + family if char.isalpha()]
        if native and language.startswith("zh") and all(_is_han(char) for char in native):
            return f"{family}{given}", family or given
        if native and language.startswith("ru") and all(_is_cyrillic(char) for char in native):
            return f"{given} {family}".strip(), family or given
        return self.name_latin, self.family_name_latin.strip() or self.given_name_latin.strip()


def _is_han(char: str) -> bool:
    """A Chinese character."""
    return "\u3400" <= char <= "\u9fff"


def _is_cyrillic(char: str) -> bool:
    """A Cyrillic letter."""
    return "\u0400" <= char <= "\u04ff"


def random_token() -> str:
    """192 random bits in URL-safe letters, never starting with "-" or "_": a spreadsheet would read a
    leading "-" as a formula (the exports then quote it), and people would copy the quote with it."""
    while True:
        token = secrets.token_urlsafe(24)
        if token[0].isalnum():
            return token


def new_badge_token():
    """A random, unguessable badge token (192 bits) that carries no personal data."""
    return random_token()


class RegistrationQuerySet(models.QuerySet):
    def holding_seat(self):
        """Registrations that hold their edition seat: pending or approved."""
        return self.filter(status__in=Registration.SEAT_HOLDING)

    def waitlisted(self):
        """Registrations waiting for an edition seat, first in line first."""
        return self.filter(status=Registration.Status.WAITLISTED).order_by("seat_requested_at", "pk")

    def matching(self, text: str, *, words: int = 8):
        """Registrations whose names (either script), organization or email contain every word."""
        queryset = self
        for word in text.split()[:words]:
            queryset = queryset.filter(
                Q(user__email__icontains=word)
                | Q(user__profile__given_name_latin__icontains=word)
                | Q(user__profile__family_name_latin__icontains=word)
                | Q(user__profile__given_name_native__icontains=word)
                | Q(user__profile__family_name_native__icontains=word)
                | Q(user__profile__organization__icontains=word)
            )
        return queryset


class Registration(models.Model):
    """One account's registration for one edition."""

    class Category(models.TextChoices):
        GOVERNMENT = "government", _("Government delegation")
        INTERNATIONAL = "international", _("International organization")
        BUSINESS = "business", _("Business")
        ACADEMIA = "academia", _("Academia")
        MEDIA = "media", _("Media")
        OBSERVER = "observer", _("Observer")
        SPEAKER = "speaker", _("Speaker")
        EXHIBITOR = "exhibitor", _("Exhibitor")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        WAITLISTED = "waitlisted", _("On the waiting list")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    SEAT_HOLDING = (Status.PENDING, Status.APPROVED)

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("edition")
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="registrations", verbose_name=_("account")
    )
    category = models.CharField(_("category"), max_length=16, choices=Category)
    mode = models.CharField(_("attendance"), max_length=10, choices=AttendanceMode)
    delegation = models.ForeignKey(
        "Delegation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("delegation"),
    )
    invitation = models.ForeignKey(
        "Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("invitation"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.PENDING)
    sub_forums = models.ManyToManyField(
        SubForum, through="SubForumSeat", related_name="registrations", verbose_name=_("sub-forums")
    )
    interpretation_language = models.CharField(
        _("interpretation language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    arrival_at = models.DateTimeField(_("arrival"), null=True, blank=True)
    departure_at = models.DateTimeField(_("departure"), null=True, blank=True)
    flight = models.CharField(_("flight"), max_length=60, blank=True)
    needs_accommodation = models.BooleanField(_("accommodation needed"), default=False)
    dietary_needs = models.CharField(_("dietary needs"), max_length=300, blank=True)
    accessibility_needs = models.CharField(_("accessibility needs"), max_length=300, blank=True)
    wants_visa_letter = models.BooleanField(_("visa invitation letter requested"), default=False)
    # Number and birth date encrypted at rest (delegates/encryption.py). Nationality and expiry stay
    # plain: neither tells who the holder is, and both can still be filtered, counted and compared in SQL.
    passport_number = EncryptedCharField(_("passport number"), max_length=30, blank=True)
    passport_nationality = CountryField(_("nationality"), blank=True)
    passport_birth_date = EncryptedDateField(_("date of birth"), null=True, blank=True)
    passport_expires_on = models.DateField(_("passport expiry"), null=True, blank=True)
    consent_version = models.CharField(
        _("privacy notice version accepted"),
        max_length=20,
        blank=True,
        help_text=_("Blank while an imported delegate has not yet confirmed and consented."),
    )
    consented_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    badge_token = models.CharField(max_length=64, unique=True, default=new_badge_token, editable=False)
    seat_requested_at = models.DateTimeField(
        _("seat requested"), help_text=_("Orders the waiting list: first asked, first served.")
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("view_passport", _("Can see passport data")),
            ("export_registration", _("Can export attendee lists")),
            ("check_in_registration", _("Can check people in")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="registration_one_per_user_per_event"),
            models.CheckConstraint(
                condition=Q(arrival_at__isnull=True)
                | Q(departure_at__isnull=True)
                | Q(departure_at__gt=models.F("arrival_at")),
                name="registration_departs_after_arrival",
            ),
        ]
        indexes = [
            models.Index(
                fields=["event", "mode", "status", "seat_requested_at"], name="registration_line_idx"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.event}"

    @property
    def is_consent_pending(self):
        """Imported by the organizers, not yet confirmed by the delegate."""
        return not self.consent_version

    @property
    def is_active(self):
        """Pending, approved or waitlisted: not cancelled or rejected."""
        return self.status not in (self.Status.CANCELLED, self.Status.REJECTED)

    @property
    def holds_seat(self):
        """Whether this registration holds its edition seat."""
        return self.status in self.SEAT_HOLDING

    @property
    def passport_number_masked(self):
        """The passport number with all but the last two characters hidden."""
        if not self.passport_number:
            return ""
        return "•" * max(len(self.passport_number) - 2, 2) + self.passport_number[-2:]


def new_invitation_code():
    """A random, unguessable invitation code (192 bits)."""
    return random_token()


class Delegation(models.Model):
    """A government's or an organization's delegation to one edition, registered by its focal points."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        INTERNATIONAL = "international", _("International organization")
        OTHER = "other", _("Other")

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="delegations", verbose_name=_("edition")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.GOVERNMENT)
    country = CountryField(_("country"), blank=True, help_text=_("Required for a government delegation."))
    protocol_order = models.PositiveSmallIntegerField(
        _("protocol order"),
        default=0,
        help_text=_("Lower comes first in protocol lists; ties are ordered by country name."),
    )
    quota_in_person = models.PositiveIntegerField(
        _("quota in person"), null=True, blank=True, help_text=_("Blank: no quota.")
    )
    quota_online = models.PositiveIntegerField(
        _("quota online"), null=True, blank=True, help_text=_("Blank: no quota.")
    )
    focal_points = models.ManyToManyField(
        "User", blank=True, related_name="focal_point_of", verbose_name=_("focal points")
    )
    head = models.ForeignKey(
        "Registration",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("head of delegation"),
    )
    notes = models.TextField(_("notes for organizers"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["protocol_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="delegation_name_unique_per_event"),
        ]

    def __str__(self):
        return self.name

    def quota(self, mode: str) -> int | None:
        """The quota for one attendance mode, or None when there is none."""
        return self.quota_in_person if mode == AttendanceMode.IN_PERSON else self.quota_online

    def clean(self):
        """A government's delegation names its country; the head is one of its own members."""
        errors = {}
        if self.kind == self.Kind.GOVERNMENT and not self.country:
            errors["country"] = _("A government's delegation needs a country.")
        if self.head_id is not None and (self.pk is None or self.head.delegation_id != self.pk):
            errors["head"] = _("The head of delegation must be one of its members.")
        elif self.head_id is not None and not self.head.is_active:
            errors["head"] = _("The head of delegation cannot be a cancelled or rejected member.")
        if errors:
            raise ValidationError(errors)


class Invitation(models.Model):
    """A code that lets people register for an edition by invitation, optionally bound to one email,
    a delegation and a category, for a number of uses until it expires or is revoked."""

    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("edition")
    )
    code = models.CharField(max_length=64, unique=True, default=new_invitation_code, editable=False)
    email = models.EmailField(
        _("for this email address only"), blank=True, help_text=_("Blank: anyone with the code.")
    )
    delegation = models.ForeignKey(
        Delegation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
        verbose_name=_("delegation"),
    )
    category = models.CharField(_("category"), max_length=16, choices=Registration.Category, blank=True)
    language = models.CharField(
        _("language of the invitation email"), max_length=10, choices=settings.LANGUAGES, default="en"
    )
    max_uses = models.PositiveIntegerField(_("number of uses"), default=1)
    uses = models.PositiveIntegerField(_("used"), default=0, editable=False)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    makes_focal_point = models.BooleanField(
        _("makes its holder a focal point of the delegation"),
        default=False,
        help_text=_("Its holder registers the delegation's members instead of registering."),
    )
    created_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(uses__lte=models.F("max_uses")), name="invitation_uses_within_max"
            ),
            models.CheckConstraint(condition=Q(max_uses__gte=1), name="invitation_at_least_one_use"),
        ]

    def __str__(self):
        return f"{self.event} – …{self.code[-6:]}"

    def clean(self):
        """A focal point invitation names the delegation its holder will register."""
        super().clean()
        if self.makes_focal_point and self.delegation_id is None:
            raise ValidationError(
                {"makes_focal_point": _("Choose the delegation whose focal point this invitation makes.")}
            )


class SubForumSeat(models.Model):
    """A registration's place in one chosen sub-forum: confirmed, or waiting in line."""

    class State(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waiting list")
        RELEASED = "released", _("No seat held")

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="seats", verbose_name=_("registration")
    )
    sub_forum = models.ForeignKey(
        SubForum, on_delete=models.PROTECT, related_name="seats", verbose_name=_("sub-forum")
    )
    state = models.CharField(_("seat"), max_length=12, choices=State, default=State.RELEASED)
    requested_at = models.DateTimeField(_("seat requested"))

    class Meta:
        verbose_name = _("sub-forum seat")
        verbose_name_plural = _("sub-forum seats")
        ordering = ["sub_forum__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "sub_forum"], name="seat_one_per_sub_forum"),
        ]
        indexes = [models.Index(fields=["sub_forum", "state", "requested_at"], name="seat_line_idx")]

    def __str__(self):
        return f"{self.registration} – {self.sub_forum} ({self.get_state_display()})"


class AuditEntry(models.Model):
    """Who did what to which object, and when."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    action = models.CharField(_("action"), max_length=40)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("edition")
    )
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("registration"),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args, **kwargs):
        """Details keep what was asked (raw filters too), but never a NUL: PostgreSQL's jsonb refuses it."""
        self.data = without_nul(self.data)
        super().save(*args, **kwargs)


class OutboxMessage(models.Model):
    """An email written in the same transaction as the change it reports, sent by the delivery step."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (gave up)")

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=200, unique=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    # Sign-in, verification and password links: the text is erased once the server accepted it.
    has_secret_link = models.BooleanField(_("carries a secret link"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.subject} → {self.to}"

    @property
    def is_erased(self) -> bool:
        """Its secret link was erased after sending: there is nothing left to send again."""
        return self.has_secret_link and not self.body_text


class CheckIn(models.Model):
    """A person admitted at the venue entrance (no sub-forum) or at one sub-forum."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("registration")
    )
    sub_forum = models.ForeignKey(
        SubForum,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="check_ins",
        verbose_name=_("sub-forum"),
    )
    checked_in_at = models.DateTimeField(_("admitted at"), auto_now_add=True)
    checked_in_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("admitted by")
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-checked_in_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["registration", "sub_forum"], name="checkin_once_per_sub_forum"),
            models.UniqueConstraint(
                fields=["registration"], condition=Q(sub_forum__isnull=True), name="checkin_once_at_entrance"
            ),
        ]

    def __str__(self):
        return f"{self.registration} @ {self.sub_forum or _('entrance')}"


class ExportPreset(models.Model):
    """A staff member's named set of filters and columns, re-run in one click."""

    owner = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="export_presets", verbose_name=_("owner")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+", verbose_name=_("edition"))
    name = models.CharField(_("name"), max_length=100)
    query = models.TextField(_("filters and columns"), help_text=_("The list's query string."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export preset")
        verbose_name_plural = _("export presets")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "event", "name"], name="preset_name_unique_per_owner"),
        ]

    def __str__(self):
        return self.name


def letter_image_path(instance, filename):
    """Where a letter template's letterhead or signature is stored: a random name in its edition's folder."""
    return f"letters/{instance.event_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()[:10]}"


class LetterTemplate(models.Model):
    """An edition's visa invitation letter: letterhead, issuer, signatory and the text in each language."""

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="letter_template", verbose_name=_("edition")
    )
    letterhead = models.ImageField(_("letterhead"), upload_to=letter_image_path, blank=True)
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    signatory_name = models.CharField(_("signatory's name"), max_length=200)
    signatory_title = models.CharField(_("signatory's title"), max_length=200)
    signature = models.ImageField(_("signature"), upload_to=letter_image_path, blank=True)
    body_en = models.TextField(_("letter text (English)"))
    body_zh_hans = models.TextField(_("letter text (Chinese)"))
    body_ru = models.TextField(_("letter text (Russian)"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("visa letter template")
        verbose_name_plural = _("visa letter templates")
        ordering = ["-event__start_on", "pk"]

    def __str__(self):
        return str(self.event)

    def body_in(self, language: str) -> str:
        """The letter text in this language (a site language code), English when unknown."""
        return getattr(self, f"body_{language.replace('-', '_').lower()}", None) or self.body_en


def new_letter_token():
    """A random, unguessable verification token (192 bits) that carries no personal data."""
    return secrets.token_urlsafe(24)


class VisaLetter(models.Model):
    """One visa invitation letter for one registration: issued, sent, or revoked (by a reissue)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        ISSUED = "issued", _("Issued")
        SENT = "sent", _("Sent")
        REVOKED = "revoked", _("Revoked")

    VALID = (Status.ISSUED, Status.SENT)

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="visa_letters", verbose_name=_("registration")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.REQUESTED)
    reference = models.CharField(_("reference number"), max_length=40, unique=True)
    token = models.CharField(max_length=64, unique=True, default=new_letter_token, editable=False)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("issued by")
    )

    class Meta:
        verbose_name = _("visa letter")
        verbose_name_plural = _("visa letters")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(status__in=["issued", "sent"]),
                name="visa_letter_one_valid_per_registration",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_valid(self) -> bool:
        """Issued or sent, and not revoked."""
        return self.status in self.VALID
