"""Attendee list exports: a fixed, documented set of columns, written while they are sent.

Each column has a kind that says how its value is shown (a choice's label, a country's name, the
edition's local time...) and whether people typed it. Typed text is the only text a spreadsheet
could read as a formula, so in CSV cells an apostrophe goes before every piece that a spreadsheet
splitting on "," ";" or tab could start with = + - @ tab CR or LF (`FORMULA_GUARD`); XLSX cells are
all written as strings.

Two builders make the same rows behind one interface (`RowSource`): `RowBuilder` in Python from
`values_list(...).iterator()` in batches of 2,000 (one more query per batch for the sub-forum seats
and check-ins), so memory does not grow with the list; `SqlRows` in PostgreSQL, whose CSV comes
straight out of COPY (but for the encrypted passport columns, which their fields decrypt in Python,
so a list that shows them is written by Python). `export_response` records the export and sends the
file; the staff pages and the admin's export actions both answer with it."""

import csv
import datetime
import enum
import io
import re
import tempfile
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, CharField, F, Func, OuterRef, StringAgg, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import AttendanceMode, Event, Honorific
from events.translation import localized

from . import services
from .encryption import EncryptedCharField, EncryptedDateField
from .models import CheckIn, Registration, SubForumSeat, User

BATCH = 2000
# Where a spreadsheet may start a cell: at the start, and after "," ";" tab or a line break, since a
# spreadsheet set to split on ";" (Russian, Kazakh, German locales) or tab ignores the quotes of a
# ","-separated file. There a piece that begins (after spaces or quotes) with = + - @ tab CR or LF is
# read as a formula, so an apostrophe is put right at that place. Written so that Python's `re` and
# PostgreSQL's regular expressions read it alike: the SQL builder guards with the very same pattern.
FORMULA_GUARD = r'(?:^|(?<=[,;\t\r\n]))(?=[ "]*[-=+@\t\r\n])'
FORMULA_GUARD_RE = re.compile(FORMULA_GUARD)
FORMATS = ("csv", "xlsx")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Kind(enum.Enum):
    """How a column's value is shown, whichever builder shows it."""

    FREE_TEXT = "free_text"  # as typed
    PHONE = "phone"  # E.164, the one form dialable from anywhere
    LABEL = "label"  # a choice's code shown by its label, in the reader's language (no label: "")
    COUNTRY = "country"  # an ISO code shown by the country's name
    YES_NO = "yes_no"
    MOMENT = "moment"  # local date and time of the edition
    DATE = "date"  # YYYY-MM-DD
    SEATS = "seats"  # each chosen sub-forum with the state of its seat
    ADMITTED = "admitted"  # when the delegate was admitted at the entrance, local time
    TRANSLATED = "translated"  # a name organizers typed per language: the reader's, else English

    @property
    def is_typed(self) -> bool:
        """Text that people typed (sub-forum titles included), so it may start like a formula."""
        return self in TYPED_KINDS


TYPED_KINDS = frozenset({Kind.FREE_TEXT, Kind.PHONE, Kind.SEATS, Kind.TRANSLATED})


@dataclass(frozen=True)
class Column:
    """One export column: its key in URLs, its header, its kind and the database field it reads.

    Whether a column holds passport data is who may see it, not how it is shown (a nationality is
    shown as a country, a birth date as a date), so it is a flag beside the kind."""

    key: str
    label: Any
    kind: Kind
    field: str | None = None
    width: int = 18
    choices: tuple[tuple[str, Any], ...] = ()
    passport: bool = False

    @property
    def encrypted(self) -> bool:
        """Whether the database holds this column's values encrypted (readable only in Python)."""
        if self.field is None or "__" in self.field:
            return False
        return isinstance(Registration._meta.get_field(self.field), (EncryptedCharField, EncryptedDateField))


COLUMNS = [
    Column("family_name_latin", _("Family name (Latin)"), Kind.FREE_TEXT, "user__profile__family_name_latin"),
    Column("given_name_latin", _("Given name (Latin)"), Kind.FREE_TEXT, "user__profile__given_name_latin"),
    Column(
        "family_name_native", _("Family name (native)"), Kind.FREE_TEXT, "user__profile__family_name_native"
    ),
    Column("given_name_native", _("Given name (native)"), Kind.FREE_TEXT, "user__profile__given_name_native"),
    Column(
        "honorific",
        _("Honorific"),
        Kind.LABEL,
        "user__profile__honorific",
        10,
        choices=tuple((code, label) for code, label in Honorific.choices if code),
    ),
    Column("position", _("Position"), Kind.FREE_TEXT, "user__profile__position", 30),
    Column("organization", _("Organization"), Kind.FREE_TEXT, "user__profile__organization", 30),
    Column("country", _("Country"), Kind.COUNTRY, "user__profile__country"),
    Column("category", _("Category"), Kind.LABEL, "category", choices=tuple(Registration.Category.choices)),
    Column("mode", _("Attendance"), Kind.LABEL, "mode", 12, choices=tuple(AttendanceMode.choices)),
    Column("status", _("Status"), Kind.LABEL, "status", 14, choices=tuple(Registration.Status.choices)),
    Column("sub_forums", _("Sub-forums (seat)"), Kind.SEATS, None, 40),
    Column("email", _("Email"), Kind.FREE_TEXT, "user__email", 28),
    Column("phone", _("Phone"), Kind.PHONE, "user__profile__phone"),
    Column("arrival", _("Arrival"), Kind.MOMENT, "arrival_at", 17),
    Column("departure", _("Departure"), Kind.MOMENT, "departure_at", 17),
    Column("flight", _("Flight"), Kind.FREE_TEXT, "flight", 12),
    Column("accommodation", _("Accommodation needed"), Kind.YES_NO, "needs_accommodation", 12),
    Column("dietary", _("Dietary needs"), Kind.FREE_TEXT, "dietary_needs", 24),
    Column("accessibility", _("Accessibility needs"), Kind.FREE_TEXT, "accessibility_needs", 24),
    Column(
        "interpretation",
        _("Interpretation"),
        Kind.LABEL,
        "interpretation_language",
        12,
        choices=tuple(settings.LANGUAGES),
    ),
    Column("checked_in", _("Checked in"), Kind.ADMITTED, None, 17),
    # Last of the ordinary columns, so that files read by position before delegations existed still work.
    Column("delegation", _("Delegation"), Kind.TRANSLATED, "delegation__name", 24),
    Column("passport_number", _("Passport number"), Kind.FREE_TEXT, "passport_number", passport=True),
    Column("passport_nationality", _("Nationality"), Kind.COUNTRY, "passport_nationality", passport=True),
    Column("passport_birth_date", _("Date of birth"), Kind.DATE, "passport_birth_date", 12, passport=True),
    Column("passport_expires_on", _("Passport expiry"), Kind.DATE, "passport_expires_on", 12, passport=True),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = [column.key for column in COLUMNS if not column.passport and column.key != "accessibility"]
SEAT_STATES = tuple(SubForumSeat.State.choices)


def allowed_columns(*, may_see_passports: bool) -> list[Column]:
    """The columns this person may export."""
    return [column for column in COLUMNS if may_see_passports or not column.passport]


def chosen_columns(keys: Iterable[str], *, may_see_passports: bool) -> list[Column]:
    """The requested columns in their fixed order; unknown or forbidden keys are left out."""
    allowed = {column.key for column in allowed_columns(may_see_passports=may_see_passports)}
    wanted = (set(keys) & allowed) or set(DEFAULT_COLUMNS)
    return [column for column in COLUMNS if column.key in wanted]


def neutralise(value: str) -> str:
    """Make a spreadsheet read a cell, and every piece a split on "," ";" or tab makes of it, as text."""
    return FORMULA_GUARD_RE.sub("'", value)


def labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Code to label, in the current language."""
    return {code: str(label) for code, label in choices}


def csv_header(columns: Sequence[Column]) -> str:
    """The BOM (so Excel shows Chinese and Cyrillic) and the header line, every cell quoted."""
    header = io.StringIO()
    header.write("\ufeff")
    csv.writer(header, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(
        [neutralise(str(column.label)) for column in columns]
    )
    return header.getvalue()


class RowSource(ABC):
    """The display rows of an export, one string per column, however they are built."""

    def __init__(self, event: Event, columns: list[Column], queryset):
        self.event = event
        self.columns = columns
        self.queryset = queryset

    @abstractmethod
    def rows(self) -> Iterator[Sequence[str]]:
        """Every display row, unguarded (XLSX cells are text, so nothing there reads as a formula)."""

    def csv_chunks(self) -> Iterator[bytes]:
        """UTF-8 CSV, header first, typed cells guarded, yielded in batches."""
        buffer = io.StringIO()
        # Every cell quoted: Excel set to split on ";" (Russian, Kazakh, German locales) must not cut a
        # cell into pieces that start with "=". Line ends as COPY writes them.
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
        buffer.write(csv_header(self.columns))
        typed = [column.kind.is_typed for column in self.columns]
        for count, row in enumerate(self.rows(), start=1):
            writer.writerow(
                [neutralise(cell) if guard else cell for cell, guard in zip(row, typed, strict=True)]
            )
            if count % BATCH == 0:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()


class RowBuilder(RowSource):
    """Display rows built in Python, in the edition's time zone (SQLite; the reference for SqlRows)."""

    def __init__(self, event: Event, columns: list[Column], queryset):
        super().__init__(event, columns, queryset)
        self.fields = ["pk", *dict.fromkeys(column.field for column in columns if column.field)]
        self.position = {field: index for index, field in enumerate(self.fields)}
        self.translated = {column.field for column in columns if column.kind is Kind.TRANSLATED}
        self.country_names = {}
        self.labels = {}

    def rows(self) -> Iterator[list[str]]:
        """Every row of the queryset, in batches."""
        # Labels in the language active while the file is written, as the SQL builder does.
        self.labels = {
            column.key: labels(column.choices) for column in self.columns if column.kind is Kind.LABEL
        }
        # Translated names through the registration (which modeltranslation does not rewrite), in the
        # language active now, as the labels.
        selected = [localized(field) if field in self.translated else field for field in self.fields]
        batch = []
        for values in self.queryset.values_list(*selected).iterator(chunk_size=BATCH):
            batch.append(values)
            if len(batch) == BATCH:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def _batch(self, batch) -> Iterator[list[str]]:
        """Display rows for one batch, with one query each for seats and check-ins if asked for."""
        ids = [values[0] for values in batch]
        kinds = {column.kind for column in self.columns}
        seats = self._seats(ids) if Kind.SEATS in kinds else {}
        admitted = self._admitted(ids) if Kind.ADMITTED in kinds else {}
        for values in batch:
            yield [self._cell(column, values, seats, admitted) for column in self.columns]

    def _seats(self, ids) -> dict[int, str]:
        """Each registration's sub-forums with their seat state."""
        states = labels(SEAT_STATES)
        found = defaultdict(list)
        for registration_id, title, state in (
            SubForumSeat.objects.filter(registration_id__in=ids)
            .order_by("sub_forum__starts_at", "pk")
            .values_list("registration_id", localized("sub_forum__title"), "state")
        ):
            found[registration_id].append(f"{title} ({states[state]})")
        return {key: "; ".join(value) for key, value in found.items()}

    def _admitted(self, ids) -> dict[int, datetime.datetime]:
        """When each registration was admitted at the entrance."""
        return dict(
            CheckIn.objects.filter(registration_id__in=ids, sub_forum__isnull=True).values_list(
                "registration_id", "checked_in_at"
            )
        )

    def _cell(self, column: Column, values, seats, admitted) -> str:
        """One display string."""
        pk = values[0]
        if column.kind is Kind.SEATS:
            return seats.get(pk, "")
        if column.kind is Kind.ADMITTED:
            return self._moment(admitted.get(pk))
        return self._display(column, values[self.position[column.field]])

    def _display(self, column: Column, value) -> str:
        """A stored value as its column's kind shows it."""
        if value is None or value == "":
            return ""
        match column.kind:
            case Kind.LABEL:
                return self.labels[column.key].get(value, "")
            case Kind.COUNTRY:
                if value not in self.country_names:
                    self.country_names[value] = str(countries.name(value))
                return self.country_names[value]
            case Kind.PHONE:
                return getattr(value, "as_e164", str(value))
            case Kind.YES_NO:
                return str(_("Yes") if value else _("No"))
            case Kind.MOMENT:
                return self._moment(value)
            case Kind.DATE:
                return value.isoformat()
        return str(value)

    def _moment(self, value) -> str:
        """A moment as local date and time of the edition."""
        return value.astimezone(self.event.tz).strftime("%Y-%m-%d %H:%M") if value else ""


# --- PostgreSQL: the same rows built in SQL and sent with COPY ----------------------------------
#
# On PostgreSQL every cell is computed by the database (labels, local times, country names, the
# formula guard) and the CSV comes straight out of `COPY ... TO STDOUT` through psycopg, which is
# several times faster than building 100,000 rows in Python. RowBuilder stays the reference
# (SQLite) and the tests run both against the same expectations.


class LocalMinute(Func):
    """A moment as "YYYY-MM-DD HH:MM" in a time zone (PostgreSQL)."""

    template = "to_char(timezone(%(expressions)s), 'YYYY-MM-DD HH24:MI')"
    output_field = CharField()


class CsvGuard(Func):
    """`neutralise` in SQL: an apostrophe at every place FORMULA_GUARD finds (PostgreSQL)."""

    function = "regexp_replace"
    output_field = CharField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(FORMULA_GUARD), Value("'"), Value("g"), **extra)


class IsoDate(Func):
    """A date as "YYYY-MM-DD" (PostgreSQL)."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = CharField()


def _label_case(field: str, names: dict[str, str]) -> Case:
    """Code to name; a code without a name shows nothing, as in RowBuilder."""
    return Case(
        *(When(**{field: code}, then=Value(name)) for code, name in names.items()),
        default=Value(""),
        output_field=CharField(),
    )


class SqlRows(RowSource):
    """The export's display rows as one annotated queryset (PostgreSQL only)."""

    def _expression(self, column: Column, countries_used: dict[str, str]):
        """The SQL expression of one column's display string."""
        field = column.field
        match column.kind:
            case Kind.LABEL:
                return _label_case(field, labels(column.choices))
            case Kind.COUNTRY:
                return _label_case(field, countries_used)
            case Kind.YES_NO:
                return Case(
                    When(**{field: True}, then=Value(str(_("Yes")))),
                    default=Value(str(_("No"))),
                    output_field=CharField(),
                )
            case Kind.MOMENT:
                return LocalMinute(Value(self.event.time_zone), F(field))
            case Kind.DATE:
                return IsoDate(F(field))
            case Kind.SEATS:
                return Subquery(self._seats())
            case Kind.TRANSLATED:
                return localized(field)
            case Kind.ADMITTED:
                admitted = CheckIn.objects.filter(registration=OuterRef("pk"), sub_forum__isnull=True)
                return LocalMinute(
                    Value(self.event.time_zone), Subquery(admitted.values("checked_in_at")[:1])
                )
        # Free text, and phones, which the database already holds in E.164.
        return F(field)

    def _seats(self):
        """Each registration's sub-forums with their seat state, "; "-separated, in time order."""
        return (
            SubForumSeat.objects.filter(registration=OuterRef("pk"))
            .order_by()
            .values("registration")
            .annotate(
                text=StringAgg(
                    Concat(
                        localized("sub_forum__title"),
                        Value(" ("),
                        _label_case("state", labels(SEAT_STATES)),
                        Value(")"),
                        output_field=CharField(),
                    ),
                    delimiter=Value("; "),
                    order_by=("sub_forum__starts_at", "pk"),
                )
            )
            .values("text")
        )

    def _countries_used(self) -> dict[str, str]:
        """The names of the countries the rows hold, looked up once (names are not in the database)."""
        names = {}
        for column in self.columns:
            if column.kind is Kind.COUNTRY:
                for code in self.queryset.order_by().values_list(column.field, flat=True).distinct():
                    if code:
                        names[code] = str(countries.name(code))
        return names

    def queryset_of_strings(self, *, guard: bool):
        """values_list of one display string per column (typed cells guarded for CSV), in the list's order."""
        countries_used = self._countries_used()
        cells = {}
        for index, column in enumerate(self.columns):
            if column.encrypted:  # the token, decrypted by its field as rows are read (see `rows`)
                cells[f"c{index}"] = F(column.field)
                continue
            cell = Coalesce(self._expression(column, countries_used), Value(""), output_field=CharField())
            cells[f"c{index}"] = CsvGuard(cell) if guard and column.kind.is_typed else cell
        return self.queryset.annotate(**cells).values_list(*cells)

    def rows(self) -> Iterator[Sequence[str]]:
        """Display rows without the formula guard (for XLSX, whose cells are text anyway)."""
        rows = self.queryset_of_strings(guard=False).iterator(chunk_size=BATCH)
        encrypted = [index for index, column in enumerate(self.columns) if column.encrypted]
        return (self._decrypted(row, encrypted) for row in rows) if encrypted else rows

    @staticmethod
    def _decrypted(row: tuple, encrypted: list[int]) -> list[str]:
        """The row with its decrypted values (a str, a date or None) shown as RowBuilder shows them."""
        cells = list(row)
        for index in encrypted:
            value = cells[index]
            cells[index] = value.isoformat() if isinstance(value, datetime.date) else (value or "")
        return cells

    def csv_chunks(self) -> Iterator[bytes]:
        """BOM and header from Python, then the rows straight from COPY.

        The statement is built now, before the response starts: a list that cannot match anything
        (queryset.none()) has no SQL, and finding that out after the header would cut the file. A list
        with encrypted columns, which only Python can read, is written and guarded in Python instead."""
        if any(column.encrypted for column in self.columns):
            return super().csv_chunks()
        header = csv_header(self.columns).encode()
        try:
            sql, params = self.queryset_of_strings(guard=True).query.sql_with_params()
        except EmptyResultSet:
            return iter([header])
        return self._copied(header, sql, params)

    def _copied(self, header: bytes, sql: str, params) -> Iterator[bytes]:
        """The header, then COPY's CSV as it comes."""
        yield header
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)", params) as copy,
        ):
            for block in copy:
                yield bytes(block)


def row_source(event: Event, columns: list[Column], queryset) -> RowSource:
    """The fastest way this database can build the rows: SQL on PostgreSQL, Python elsewhere."""
    builder = SqlRows if connection.vendor == "postgresql" else RowBuilder
    return builder(event, columns, queryset)


def text_workbook(handle) -> xlsxwriter.Workbook:
    """An XLSX workbook written row by row in constant memory whose cells are only ever text: never a
    formula, a number or a link, whatever a delegate typed (every XLSX the site makes starts here)."""
    return xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )


def xlsx_file(source: RowSource, title: str):
    """A temporary XLSX file written in constant memory: header frozen and filterable, text cells."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it after sending)
    workbook = text_workbook(handle)
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    for index, column in enumerate(source.columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, str(column.label), bold)
    last_row = 0
    for last_row, row in enumerate(source.rows(), start=1):
        for index, cell in enumerate(row):
            sheet.write_string(last_row, index, cell)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(last_row, 1), max(len(source.columns) - 1, 0))
    workbook.close()
    handle.seek(0)
    return handle


def export_name(event: Event) -> str:
    """The file's and the sheet's name: the edition's slug, after "SAMPLE-" when the edition is sample
    content, so that a list of invented delegates is never taken for a real one once downloaded."""
    return f"SAMPLE-{event.slug}" if event.is_sample else event.slug


def export_response(
    *, actor: User, event: Event, queryset, columns: list[Column], file_format: str, filters: dict
) -> StreamingHttpResponse | FileResponse:
    """Record the export, then send the file: CSV streamed as written, XLSX from a temporary file."""
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    services.record_export(
        event=event,
        actor=actor,
        file_format=file_format,
        filters=filters,
        columns=[column.key for column in columns],
        rows=queryset.count(),
    )
    source = row_source(event, columns, queryset)
    stamp = timezone.localtime(timezone.now(), event.tz).strftime("%Y%m%d-%H%M")
    filename = f"{export_name(event)}-registrations-{stamp}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(source.csv_chunks(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        xlsx_file(source, title=export_name(event)),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )
