"""Import of delegation lists (CSV or XLSX with a documented header).

Reading checks every row and writes nothing; the organizer sees each row's errors in plain words
and confirms. Confirming creates the accounts (matched by email, so a second upload creates
nothing twice), profiles and registrations through the services, so capacity and waiting lists
apply, and emails each new person a link to set a password and confirm their details. Each row is
checked against the same rules as a delegate's own registration (delegates/rules.py), except the
delegate's own duties (the window, travel dates, consent), which the person fulfils later.

An optional `delegation` column (a delegation's name in any language, or its id) attaches rows to a
delegation of the edition; the preview counts them against its quota per mode and, if asked, plans
the delegations the file names but the edition lacks, which confirming creates."""

import csv
import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from itertools import islice
from typing import NamedTuple
from xml.parsers import expat

import openpyxl
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django_countries import countries
from phonenumber_field.formfields import PhoneNumberField

from events.inputs import ascii_int
from events.models import AttendanceMode, Event
from events.text import PlainTextFormMixin

from . import encryption, notifications, services
from .forms import latin_name
from .models import AuditEntry, Delegation, Honorific, Profile, Registration, User
from .rules import RegistrationDetails, RegistrationError, check

HEADER = [
    "email",
    "given_name_latin",
    "family_name_latin",
    "given_name_native",
    "family_name_native",
    "honorific",
    "position",
    "organization",
    "country",
    "phone",
    "preferred_language",
    "category",
    "mode",
    "sub_forums",
    "interpretation_language",
]
# Optional columns: a passport number asks for a visa invitation letter, and then the passport's
# other columns are needed too. A file without these columns is read as before.
PASSPORT_COLUMNS = ["passport_number", "passport_nationality", "passport_birth_date", "passport_expires_on"]
REQUIRED = list(HEADER)
# Optional too: the delegation a row's person belongs to (its name in any language, or its id).
HEADER = [*HEADER, *PASSPORT_COLUMNS, "delegation"]
# The members a delegation's quota counts (as the quota rule does): everyone not cancelled or rejected.
QUOTA_STATUSES = (*Registration.SEAT_HOLDING, Registration.Status.WAITLISTED)


def accepted_codes(event: Event) -> list[tuple[str, str, list[str]]]:
    """For each coded column: what it holds and the values it accepts, as the import page lists them."""
    languages = [code for code, _name in settings.LANGUAGES]
    return [
        ("country", _("ISO code or English name, for example"), ["KZ", "Kazakhstan"]),
        ("honorific", _("one of these, or empty"), [value for value in Honorific.values if value]),
        ("category", _("one of"), list(Registration.Category.values)),
        ("mode", _("one of"), list(AttendanceMode.values)),
        (
            "sub_forums",
            _("this edition's sub-forums, separated by “;”"),
            list(event.sub_forums.values_list("slug", flat=True)),
        ),
        ("preferred_language", _("one of"), languages),
        ("interpretation_language", _("one of"), languages),
        (
            "delegation",
            _("optional: a delegation of this edition, by name in any language or by id"),
            list(event.delegations.values_list("name", flat=True)),
        ),
    ]


EXAMPLE = [
    "example.delegate@mfa.example.kz",
    "Example",
    "Delegate",
    "Пример",
    "Делегат",
    "ms",
    "Counsellor",
    "Ministry of Foreign Affairs of Kazakhstan",
    "KZ",
    "+7 701 234 5678",
    "ru",
    "government",
    "in_person",
    "beidou-cooperation; green-development",
    "ru",
    "",
    "",
    "",
    "",
    "",
]
MAX_ROWS = 2000
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# What an XLSX may hold before openpyxl reads it. A few kilobytes of zip can unpack to millions of
# shared strings, which openpyxl loads all at once (2.8 million took 23 s and 200 MB), or of cells in
# one row, which it reads whole. A list of MAX_ROWS people needs far less: 24 columns of 2,002 rows
# are 48,048 cells and at most as many distinct texts.
MAX_PARTS = 1000
MAX_XML_PART_BYTES = 20 * 1024 * 1024
MAX_SHARED_STRINGS = 100_000
MAX_CELLS = 200_000
MAX_XML_ELEMENTS = 1_000_000


DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%d %H:%M:%S"]  # ISO dates; XLSX date cells read as "2030-01-31 00:00:00"


class ImportRowForm(PlainTextFormMixin, forms.Form):
    """One row of the file, checked like the delegate's own forms (plain text: events/text.py)."""

    email = forms.EmailField()
    given_name_latin = forms.CharField(max_length=100, validators=[latin_name])
    family_name_latin = forms.CharField(max_length=100, validators=[latin_name])
    given_name_native = forms.CharField(max_length=100, required=False)
    family_name_native = forms.CharField(max_length=100, required=False)
    honorific = forms.ChoiceField(choices=Honorific.choices, required=False)
    position = forms.CharField(max_length=200)
    organization = forms.CharField(max_length=255)
    country = forms.CharField(max_length=60)
    phone = PhoneNumberField(region=None)
    preferred_language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)
    category = forms.ChoiceField(choices=Registration.Category.choices)
    mode = forms.ChoiceField(choices=AttendanceMode.choices)
    sub_forums = forms.CharField(required=False)
    interpretation_language = forms.ChoiceField(choices=settings.LANGUAGES, required=False)
    passport_number = forms.CharField(max_length=30, required=False)
    passport_nationality = forms.CharField(max_length=60, required=False)
    passport_birth_date = forms.DateField(required=False, input_formats=DATE_FORMATS)
    passport_expires_on = forms.DateField(required=False, input_formats=DATE_FORMATS)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event

    def clean_email(self):
        """Emails are matched without regard to case."""
        return self.cleaned_data["email"].lower()

    def clean_country(self):
        """An ISO code (KZ) or an English country name (Kazakhstan)."""
        return _country(self.cleaned_data["country"])

    def clean_passport_nationality(self):
        """Like the country: an ISO code or an English name; empty without a visa letter."""
        value = self.cleaned_data["passport_nationality"]
        return _country(value) if value.strip() else ""

    def clean_passport_number(self):
        """Passport numbers in capitals, without spaces."""
        return "".join(self.cleaned_data["passport_number"].split()).upper()

    def clean(self):
        """Sub-forums are slugs of this edition, separated by ;."""
        cleaned = super().clean()
        slugs = [slug.strip() for slug in (cleaned.get("sub_forums") or "").split(";") if slug.strip()]
        found = {sub_forum.slug: sub_forum for sub_forum in self.event.sub_forums.filter(slug__in=slugs)}
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            self.add_error(
                "sub_forums", _("Not sub-forums of this edition: %(slugs)s.") % {"slugs": ", ".join(unknown)}
            )
        cleaned["sub_forum_list"] = [found[slug] for slug in slugs if slug in found]
        return cleaned

    def details(self) -> RegistrationDetails:
        """What the row registers, as the services take it (consent is the delegate's, later)."""
        data = self.cleaned_data
        return RegistrationDetails(
            category=data["category"],
            mode=data["mode"],
            interpretation_language=data["interpretation_language"] or "en",
            wants_visa_letter=bool(data["passport_number"]),
            passport_number=data["passport_number"],
            passport_nationality=data["passport_nationality"],
            passport_birth_date=data["passport_birth_date"],
            passport_expires_on=data["passport_expires_on"],
        )

    def profile(self) -> Profile:
        """The person's profile as the row describes it (not saved)."""
        data = self.cleaned_data
        return Profile(
            **{name: data[name] for name in PROFILE_COLUMNS},
            preferred_language=data["preferred_language"] or "en",
        )


def _country(value: str) -> str:
    """The ISO code of a country given by code (KZ) or English name (Kazakhstan)."""
    value = value.strip()
    code = value.upper() if value.upper() in dict(countries) else countries.by_name(value)
    if not code:
        raise forms.ValidationError(
            _("Unknown country “%(value)s”: use a code such as KZ.") % {"value": value}
        )
    return code


PROFILE_COLUMNS = (
    "honorific",
    "given_name_latin",
    "family_name_latin",
    "given_name_native",
    "family_name_native",
    "position",
    "organization",
    "country",
    "phone",
)


class RowError(NamedTuple):
    """One problem of a row: the column it is in (empty for the whole row), and what is wrong."""

    column: str
    message: str

    def __str__(self):
        return f"{self.column}: {self.message}" if self.column else self.message


@dataclass
class ImportRow:
    """A row of the file with what importing it would do, or why it cannot."""

    number: int
    values: dict
    errors: list[RowError] = field(default_factory=list)
    action: str = ""
    # The delegation the row joins: one of the edition's, or the name of one the import will create.
    delegation: "Delegation | str | None" = None
    mode: str = ""

    @property
    def is_valid(self) -> bool:
        """Whether the row can be imported."""
        return not self.errors


class ImportFileError(Exception):
    """The file itself cannot be read (format, header, size)."""


def _csv_table(upload) -> list[list[str]]:
    """The cells of a UTF-8 CSV file."""
    try:
        text = upload.read().decode("utf-8-sig")
        return list(islice(csv.reader(io.StringIO(text)), MAX_ROWS + 2))
    except UnicodeDecodeError as error:
        raise ImportFileError(_("Save the CSV file as UTF-8.")) from error
    except csv.Error as error:
        raise ImportFileError(_("This CSV file cannot be read: %(error)s.") % {"error": error}) from error


class XmlBudget:
    """Counts what the XML parts of a workbook hold, and stops at the first part over budget.

    Each part is read through expat in chunks, so the count takes constant memory and ends as soon as
    a limit is passed, however large the part unpacks."""

    CHUNK = 64 * 1024

    def __init__(self):
        self.counts = {"si": 0, "c": 0, "*": 0}
        self.limits = {"si": MAX_SHARED_STRINGS, "c": MAX_CELLS, "*": MAX_XML_ELEMENTS}
        self.content_types = {}

    def scan(self, archive: zipfile.ZipFile, member: zipfile.ZipInfo, on_start=None) -> None:
        """Count one part's elements (shared strings, cells, all); refuse a DTD, which OOXML never has."""
        if member.file_size > MAX_XML_PART_BYTES:
            raise over_budget()
        parser = expat.ParserCreate(namespace_separator="}")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.StartElementHandler = lambda name, attributes: self._count(name, attributes, on_start)
        with archive.open(member) as part:
            while chunk := part.read(self.CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)

    def _count(self, name: str, attributes: dict, on_start) -> None:
        """One more element; over a limit, stop reading."""
        local = name.rpartition("}")[2]
        for key in (local, "*"):
            if key in self.counts:
                self.counts[key] += 1
                if self.counts[key] > self.limits[key]:
                    raise over_budget()
        if on_start is not None:
            on_start(local, attributes)

    def xml_parts(self, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
        """Every part but those [Content_Types].xml declares as not XML (pictures...), whatever the names.

        openpyxl finds sheets through relationships, not names or types, so a part of no declared type
        is read as XML too."""
        defaults, overrides = {}, {}

        def declare(local: str, attributes: dict) -> None:
            if local == "Default":
                defaults[attributes.get("Extension", "").lower()] = attributes.get("ContentType", "")
            elif local == "Override":
                overrides[attributes.get("PartName", "").lstrip("/")] = attributes.get("ContentType", "")

        self.scan(archive, archive.getinfo("[Content_Types].xml"), on_start=declare)
        parts = []
        for member in archive.infolist():
            name = member.filename
            declared = overrides.get(name) or defaults.get(name.rpartition(".")[2].lower()) or "xml"
            if (
                name != "[Content_Types].xml"
                and not name.endswith("/")
                and declared.split(";")[0].endswith("xml")
            ):
                parts.append(member)
        return parts


def over_budget() -> "ImportFileError":
    """The error for a workbook that holds far more than a delegation list."""
    return ImportFileError(
        _(
            "This spreadsheet holds far more than a list of at most %(rows)d people needs: copy the list "
            "alone into a new file and upload that."
        )
        % {"rows": MAX_ROWS}
    )


def _refuse_dtd(*args) -> None:
    """A document type declaration (entities that expand) has no place in a workbook."""
    raise ImportFileError(_("This is not an XLSX file we can read."))


def check_xlsx_budget(upload) -> None:
    """Refuse, before any of it is parsed, a workbook that would take more time or memory than a list needs."""
    with zipfile.ZipFile(upload) as archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
            raise ImportFileError(_("The file unpacks to more than 50 MB: split the list."))
        if len(members) > MAX_PARTS:
            raise over_budget()
        budget = XmlBudget()
        for member in budget.xml_parts(archive):
            budget.scan(archive, member)


def _xlsx_table(upload) -> list[list[str]]:
    """The cells of an XLSX file's first sheet, read only once the workbook is known to fit the budget."""
    try:
        check_xlsx_budget(upload)
        upload.seek(0)
        sheet = openpyxl.load_workbook(upload, read_only=True, data_only=True).active
        sheet.reset_dimensions()  # a sheet may claim a million columns it does not have
        rows = sheet.iter_rows(max_col=len(HEADER) + 5, values_only=True)
        return [["" if cell is None else str(cell) for cell in row] for row in islice(rows, MAX_ROWS + 2)]
    except ImportFileError:
        raise
    except Exception as error:  # any broken or disguised file
        raise ImportFileError(_("This is not an XLSX file we can read.")) from error


def stashed(rows: list[dict]) -> str:
    """The previewed rows as kept in the session (stored in clear) until confirmed: encrypted, since
    they hold passport numbers, birth dates, names and addresses."""
    return encryption.encrypt(json.dumps(rows))


def unstashed(token: str) -> list[dict] | None:
    """The previewed rows back from the session; None when they cannot be read (the key changed, or a
    preview kept before they were encrypted)."""
    if not isinstance(token, str):
        return None
    try:
        return json.loads(encryption.decrypt(token))
    except encryption.UndecryptableData:
        return None


def read_table(upload) -> list[dict]:
    """The rows of an uploaded CSV (UTF-8) or XLSX file as dicts keyed by the header.

    The upload form has refused a file over FORUM_MAX_IMPORT_BYTES already (delegates.forms)."""
    name = upload.name.lower()
    if name.endswith(".csv"):
        table = _csv_table(upload)
    elif name.endswith(".xlsx"):
        table = _xlsx_table(upload)
    else:
        raise ImportFileError(_("Upload a .csv or .xlsx file made from the template."))
    if not table:
        raise ImportFileError(_("The file is empty."))
    header = [cell.strip().lower() for cell in table[0]]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ImportFileError(
            _("The header lacks these columns: %(columns)s.") % {"columns": ", ".join(missing)}
        )
    rows = [dict(zip(header, row, strict=False)) for row in table[1:] if any(cell.strip() for cell in row)]
    if len(rows) > MAX_ROWS:
        raise ImportFileError(_("At most %(count)d rows per file.") % {"count": MAX_ROWS})
    return [{name: (row.get(name) or "").strip() for name in HEADER} for row in rows]


def check_rows(event: Event, raw_rows: list[dict], *, create_delegations: bool = False) -> list[ImportRow]:
    """Every row's errors and what it would do, without writing anything."""
    existing = {
        email.lower(): status for email, status in event.registrations.values_list("user__email", "status")
    }
    emails = [(values.get("email") or "").strip().lower() for values in raw_rows]
    accounts = {
        user.lower_email: user
        for user in User.objects.annotate(lower_email=Lower("email"))
        .filter(lower_email__in=emails)
        .select_related("profile")
    }
    seen = set()
    rows = []
    for number, values in enumerate(raw_rows, start=2):
        row = ImportRow(number=number, values=values)
        form = ImportRowForm(values, event=event)
        if not form.is_valid():
            row.errors = [
                RowError("" if name == "__all__" else name, " ".join(errors))
                for name, errors in form.errors.items()
            ]
        else:
            email = form.cleaned_data["email"]
            if email in seen:
                row.errors.append(RowError("email", _("This email appears twice in the file.")))
            seen.add(email)
            status = existing.get(email)
            if status == Registration.Status.REJECTED:
                row.errors.append(
                    RowError("", _("This person's registration for this edition was declined; drop the row."))
                )
            elif status is not None:
                row.action = "skip"  # registered, or cancelled by themselves: never brought back by a file
            else:
                row.action = "register" if email in accounts else "create"
            account = accounts.get(email)
            row.errors += _broken_rules(event, form, getattr(account, "profile", None) or form.profile())
            row.mode = form.cleaned_data["mode"]
        rows.append(row)
    _attach_delegations(event, rows, create_delegations=create_delegations)
    return rows


class DelegationFinder:
    """The edition's delegations by id and by name in any language (without regard to case)."""

    def __init__(self, event: Event):
        self.by_id, self.by_name = {}, {}
        for delegation in event.delegations.all():
            self.by_id[delegation.pk] = delegation
            names = {delegation.name, delegation.name_en, delegation.name_ru, delegation.name_zh_hans}
            for name in filter(None, names):
                self.by_name.setdefault(name.strip().casefold(), set()).add(delegation)

    def find(self, value: str) -> tuple[Delegation | None, str]:
        """The delegation a cell names, or None and why not ("unknown", "ambiguous")."""
        number = ascii_int(value)
        if number is not None and number in self.by_id:
            return self.by_id[number], ""
        found = self.by_name.get(value.casefold(), set())
        if len(found) > 1:
            return None, "ambiguous"
        return (next(iter(found)), "") if found else (None, "unknown")


def _attach_delegations(event: Event, rows: list[ImportRow], *, create_delegations: bool) -> None:
    """Resolve each row's delegation, then mark the rows beyond a quota (in file order)."""
    finder = DelegationFinder(event)
    planned = {}  # one new delegation per name, however its rows spell its case
    for row in rows:
        value = (row.values.get("delegation") or "").strip()
        if not value:
            continue
        delegation, problem = finder.find(value)
        if delegation is not None:
            row.delegation = delegation
        elif problem == "ambiguous":
            row.errors.append(RowError("delegation", _("Several delegations are called this: use the id.")))
        elif create_delegations and ascii_int(value) is None and len(value) <= 200:
            row.delegation = planned.setdefault(value.casefold(), value)
        else:
            row.errors.append(
                RowError(
                    "delegation",
                    _(
                        "No delegation “%(value)s” in this edition (tick “create missing delegations” to create it)."
                    )
                    % {"value": value},
                )
            )
    _mark_beyond_quota(rows)


def _members_held(delegations: list[Delegation]) -> Counter:
    """Members already counted against each delegation's quota, per mode."""
    counts = Counter()
    members = Registration.objects.filter(delegation__in=delegations, status__in=QUOTA_STATUSES)
    for delegation_id, mode in members.values_list("delegation_id", "mode"):
        counts[delegation_id, mode] += 1
    return counts


def _adds(row: ImportRow) -> bool:
    """Whether confirming the row adds a member to its delegation."""
    return row.delegation is not None and row.action in ("create", "register")


def _mark_beyond_quota(rows: list[ImportRow]) -> None:
    """A row that would take a delegation past its quota for the row's mode is an error."""
    existing = [row.delegation for row in rows if isinstance(row.delegation, Delegation)]
    taken = _members_held(existing)
    for row in rows:
        if not (_adds(row) and row.is_valid and isinstance(row.delegation, Delegation)):
            continue
        quota = row.delegation.quota(row.mode)
        key = (row.delegation.pk, row.mode)
        if quota is not None and taken[key] >= quota:
            row.errors.append(
                RowError(
                    "delegation",
                    _("Beyond the quota of “%(name)s” (%(quota)d, %(mode)s).")
                    % {"name": row.delegation.name, "quota": quota, "mode": AttendanceMode(row.mode).label},
                )
            )
        else:
            taken[key] += 1


@dataclass
class DelegationLine:
    """What the file does to one delegation in one mode, for the preview."""

    name: str
    mode: str
    members: int
    adding: int
    quota: int | None
    new: bool

    @property
    def over_quota(self) -> bool:
        """Whether the rows would take the delegation past its quota (those beyond are errors)."""
        return self.quota is not None and self.members + self.adding > self.quota


def delegation_summary(rows: list[ImportRow]) -> list[DelegationLine]:
    """Per delegation and mode: members now, the rows that add one (errors or not), and the quota."""
    existing = [row.delegation for row in rows if isinstance(row.delegation, Delegation)]
    held = _members_held(existing)
    lines: dict[tuple, DelegationLine] = {}
    for row in rows:
        if not _adds(row):
            continue
        new = not isinstance(row.delegation, Delegation)
        key = (row.delegation if new else row.delegation.pk, row.mode)
        if key not in lines:
            lines[key] = DelegationLine(
                name=row.delegation if new else row.delegation.name,
                mode=str(AttendanceMode(row.mode).label),
                members=0 if new else held[key],
                adding=0,
                quota=None if new else row.delegation.quota(row.mode),
                new=new,
            )
        lines[key].adding += 1
    return list(lines.values())


def _broken_rules(event: Event, form: ImportRowForm, profile: Profile) -> list[RowError]:
    """The registration rules the row breaks, each named by its column (delegates/rules.py)."""
    violations = check(
        event=event,
        profile=profile,
        details=form.details(),
        sub_forums=form.cleaned_data["sub_forum_list"],
        self_service=False,
    )
    return [RowError(violation.field or "", str(violation.message)) for violation in violations]


@transaction.atomic
def import_rows(*, event: Event, rows: list[ImportRow], actor: User) -> dict[str, int]:
    """Create what the checked rows describe; all or nothing. Returns what was done."""
    if any(not row.is_valid for row in rows):
        raise ImportFileError(_("Fix or drop the rows with errors first."))
    done = {"created": 0, "registered": 0, "skipped": 0}
    created_delegations = _create_delegations(event, rows, actor)
    for row in rows:
        form = ImportRowForm(row.values, event=event)
        form.is_valid()
        data = form.cleaned_data
        user = User.objects.filter(email__iexact=data["email"]).first()
        created = user is None
        if created:
            user = User.objects.create_user(email=data["email"])  # no usable password until they set one
            EmailAddress.objects.create(user=user, email=data["email"], primary=True, verified=False)
        if event.registrations.filter(user=user).exists():
            done["skipped"] += 1
            continue
        _profile(user, form)
        delegation = created_delegations.get(row.delegation, row.delegation)
        # Only a row with a delegation names one, so files without the column import as before.
        joining = {"delegation": delegation} if delegation is not None else {}
        try:
            services.submit_registration(
                event=event,
                user=user,
                details=form.details(),
                sub_forums=form.cleaned_data["sub_forum_list"],
                imported=True,
                **joining,
            )
        except RegistrationError as error:
            raise ImportFileError(
                _("Row %(number)d: %(error)s") % {"number": row.number, "error": error.message}
            ) from error
        notifications.welcome(event, user, created)
        done["created" if created else "registered"] += 1
    services.record_import(event=event, actor=actor, counts=done)
    return done


def _create_delegations(event: Event, rows: list[ImportRow], actor: User) -> dict[str, Delegation]:
    """Create the delegations the rows name but the edition lacks (kind "other", no quota), by name."""
    created = {}
    for row in rows:
        name = row.delegation
        if isinstance(name, str) and name not in created:
            # Another organizer may have made it since the preview: join theirs.
            created[name], _made = Delegation.objects.get_or_create(
                event=event,
                name_en=name,
                defaults={
                    "kind": Delegation.Kind.OTHER,
                    "notes": _(
                        "Created by an import of a delegation list: check its kind, country and quotas."
                    ),
                },
            )
    if created:
        AuditEntry.objects.create(
            action="delegations_imported", event=event, actor=actor, data={"names": sorted(created)}
        )
    return created


def _profile(user: User, form: ImportRowForm) -> None:
    """Create the person's profile, or leave the one they keep themselves."""
    if not Profile.objects.filter(user=user).exists():
        profile = form.profile()
        profile.user = user
        profile.save()
