"""Attendee list exports: a fixed, documented set of columns, written while they are sent.

Rows come from `values_list(...).iterator()` in batches of 2,000 (one more query per batch for the
sub-forum seats and check-ins), so memory does not grow with the list. No cell can be read as a
formula: CSV cells that start with = + - @ tab CR or LF get a leading apostrophe, and XLSX cells
are all written as strings."""

import csv
import datetime
import io
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, F, Func, OuterRef, StringAgg, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.models import AttendanceMode, Event
from events.translation import localized

from .models import CheckIn, Honorific, Registration, SubForumSeat

BATCH = 2000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass(frozen=True)
class Column:
    """One export column: its key in URLs, its header, and the database field it reads."""

    key: str
    label: Any
    field: str | None
    width: int = 18
    passport: bool = False


COLUMNS = [
    Column("family_name_latin", _("Family name (Latin)"), "user__profile__family_name_latin"),
    Column("given_name_latin", _("Given name (Latin)"), "user__profile__given_name_latin"),
    Column("family_name_native", _("Family name (native)"), "user__profile__family_name_native"),
    Column("given_name_native", _("Given name (native)"), "user__profile__given_name_native"),
    Column("honorific", _("Honorific"), "user__profile__honorific", 10),
    Column("position", _("Position"), "user__profile__position", 30),
    Column("organization", _("Organization"), "user__profile__organization", 30),
    Column("country", _("Country"), "user__profile__country"),
    Column("category", _("Category"), "category"),
    Column("mode", _("Attendance"), "mode", 12),
    Column("status", _("Status"), "status", 14),
    Column("sub_forums", _("Sub-forums (seat)"), None, 40),
    Column("email", _("Email"), "user__email", 28),
    Column("phone", _("Phone"), "user__profile__phone"),
    Column("arrival", _("Arrival"), "arrival_at", 17),
    Column("departure", _("Departure"), "departure_at", 17),
    Column("flight", _("Flight"), "flight", 12),
    Column("accommodation", _("Accommodation needed"), "needs_accommodation", 12),
    Column("dietary", _("Dietary needs"), "dietary_needs", 24),
    Column("accessibility", _("Accessibility needs"), "accessibility_needs", 24),
    Column("interpretation", _("Interpretation"), "interpretation_language", 12),
    Column("checked_in", _("Checked in"), None, 17),
    Column("passport_number", _("Passport number"), "passport_number", passport=True),
    Column("passport_nationality", _("Nationality"), "passport_nationality", passport=True),
    Column("passport_birth_date", _("Date of birth"), "passport_birth_date", 12, passport=True),
    Column("passport_expires_on", _("Passport expiry"), "passport_expires_on", 12, passport=True),
]
COLUMNS_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_COLUMNS = [column.key for column in COLUMNS if not column.passport and column.key != "accessibility"]
FREE_TEXT = {
    "family_name_latin",
    "given_name_latin",
    "family_name_native",
    "given_name_native",
    "position",
    "organization",
    "sub_forums",
    "email",
    "phone",
    "flight",
    "dietary",
    "accessibility",
    "passport_number",
}
LABELS = {
    "category": dict(Registration.Category.choices),
    "mode": dict(AttendanceMode.choices),
    "status": dict(Registration.Status.choices),
    "seat": dict(SubForumSeat.State.choices),
    "interpretation": dict(settings.LANGUAGES),
    "honorific": {code: label for code, label in Honorific.choices if code},
}


def allowed_columns(*, may_see_passports: bool) -> list[Column]:
    """The columns this person may export."""
    return [column for column in COLUMNS if may_see_passports or not column.passport]


def chosen_columns(keys: Iterable[str], *, may_see_passports: bool) -> list[Column]:
    """The requested columns in their fixed order; unknown or forbidden keys are left out."""
    allowed = {column.key for column in allowed_columns(may_see_passports=may_see_passports)}
    wanted = (set(keys) & allowed) or set(DEFAULT_COLUMNS)
    return [column for column in COLUMNS if column.key in wanted]


def neutralise(value: str) -> str:
    """Make a spreadsheet read a cell as text, never as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class RowBuilder:
    """Turns database rows into lists of display strings, in the edition's time zone."""

    def __init__(self, event: Event, columns: list[Column]):
        self.event = event
        self.columns = columns
        self.fields = ["pk", *dict.fromkeys(column.field for column in columns if column.field)]
        self.position = {field: index for index, field in enumerate(self.fields)}
        self.country_names = {}

    def rows(self, queryset) -> Iterator[list[str]]:
        """Every row of the queryset, in batches."""
        batch = []
        for values in queryset.values_list(*self.fields).iterator(chunk_size=BATCH):
            batch.append(values)
            if len(batch) == BATCH:
                yield from self._batch(batch)
                batch = []
        if batch:
            yield from self._batch(batch)

    def _batch(self, batch) -> Iterator[list[str]]:
        """Display rows for one batch, with one query each for seats and check-ins if asked for."""
        ids = [values[0] for values in batch]
        seats = self._seats(ids) if any(c.key == "sub_forums" for c in self.columns) else {}
        admitted = self._admitted(ids) if any(c.key == "checked_in" for c in self.columns) else {}
        for values in batch:
            yield [self._cell(column, values, seats, admitted) for column in self.columns]

    def _seats(self, ids) -> dict[int, str]:
        """Each registration's sub-forums with their seat state."""
        found = defaultdict(list)
        for registration_id, title, state in (
            SubForumSeat.objects.filter(registration_id__in=ids)
            .order_by("sub_forum__starts_at", "pk")
            .values_list("registration_id", localized("sub_forum__title"), "state")
        ):
            found[registration_id].append(f"{title} ({LABELS['seat'][state]})")
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
        if column.key == "sub_forums":
            return seats.get(pk, "")
        if column.key == "checked_in":
            return self._moment(admitted.get(pk))
        value = values[self.position[column.field]]
        return self._display(column.key, value)

    def _display(self, key: str, value) -> str:
        """Labels for codes, local times for moments, text for the rest."""
        if value is None or value == "":
            return ""
        if key in ("category", "mode", "status", "interpretation", "honorific"):
            return str(LABELS[key].get(value, value))
        if key in ("country", "passport_nationality"):
            if value not in self.country_names:
                self.country_names[value] = str(countries.name(value))
            return self.country_names[value]
        if key == "phone":
            return getattr(value, "as_e164", str(value))  # +77012345678: one form, dialable anywhere
        if isinstance(value, bool):
            return str(_("Yes") if value else _("No"))
        if isinstance(value, datetime.datetime):
            return self._moment(value)
        if isinstance(value, datetime.date):
            return value.isoformat()
        return str(value)

    def _moment(self, value) -> str:
        """A moment as local date and time of the edition."""
        return value.astimezone(self.event.tz).strftime("%Y-%m-%d %H:%M") if value else ""


def csv_chunks(builder, queryset) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (so Excel shows Chinese and Cyrillic), header first, yielded in batches."""
    if isinstance(builder, SqlRows):
        yield from builder.csv_chunks()
        return
    buffer = io.StringIO()
    # Every cell quoted: Excel set to split on ";" (Russian, Kazakh, German locales) must not cut a
    # cell into pieces that start with "=". Line ends as COPY writes them.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(str(column.label)) for column in builder.columns])
    for count, row in enumerate(builder.rows(queryset), start=1):
        writer.writerow([neutralise(cell) for cell in row])
        if count % BATCH == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_file(builder, queryset, title: str):
    """A temporary XLSX file written in constant memory: header frozen and filterable, text cells."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (FileResponse closes it after sending)
    workbook = xlsxwriter.Workbook(
        handle,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    for index, column in enumerate(builder.columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, str(column.label), bold)
    last_row = 0
    for last_row, row in enumerate(builder.rows(queryset), start=1):
        for index, cell in enumerate(row):
            sheet.write_string(last_row, index, cell)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(last_row, 1), max(len(builder.columns) - 1, 0))
    workbook.close()
    handle.seek(0)
    return handle


# --- PostgreSQL: the same rows built in SQL and sent with COPY ----------------------------------
#
# On PostgreSQL every cell is computed by the database (labels, local times, country names, the
# formula guard) and the CSV comes straight out of `COPY ... TO STDOUT` through psycopg, which is
# several times faster than building 100,000 rows in Python. The Python path above stays the
# reference (SQLite) and the tests run both against the same expectations.


class LocalMinute(Func):
    """A moment as "YYYY-MM-DD HH:MM" in a time zone (PostgreSQL)."""

    template = "to_char(timezone(%(expressions)s), 'YYYY-MM-DD HH24:MI')"
    output_field = CharField()


class CsvGuard(Func):
    """A leading apostrophe where a spreadsheet would read a formula (migration 0008's function)."""

    function = "forum_csv_guard"
    output_field = CharField()


class IsoDate(Func):
    """A date as "YYYY-MM-DD" (PostgreSQL)."""

    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = CharField()


def _labels(field: str, labels: dict) -> Case:
    """Code to label, in the current language."""
    return Case(
        *(When(**{field: code}, then=Value(str(label))) for code, label in labels.items()),
        default=Value(""),
        output_field=CharField(),
    )


class SqlRows:
    """The export's display rows as one annotated queryset (PostgreSQL only)."""

    def __init__(self, event: Event, columns: list[Column], queryset):
        self.event = event
        self.columns = columns
        self.queryset = queryset

    def _expression(self, column: Column, countries_used: dict):
        """The SQL expression of one column's display string."""
        key, field = column.key, column.field
        if key in ("category", "mode", "status", "interpretation", "honorific"):
            return _labels(field, LABELS[key])
        if key in ("country", "passport_nationality"):
            return _labels(field, countries_used)
        if key == "accommodation":
            return Case(
                When(**{field: True}, then=Value(str(_("Yes")))),
                default=Value(str(_("No"))),
                output_field=CharField(),
            )
        if key in ("arrival", "departure"):
            return Coalesce(
                LocalMinute(Value(self.event.time_zone), F(field)), Value(""), output_field=CharField()
            )
        if key in ("passport_birth_date", "passport_expires_on"):
            return Coalesce(IsoDate(F(field)), Value(""), output_field=CharField())
        if key == "sub_forums":
            return Coalesce(Subquery(self._seats()), Value(""), output_field=CharField())
        if key == "checked_in":
            admitted = CheckIn.objects.filter(registration=OuterRef("pk"), sub_forum__isnull=True).values(
                "checked_in_at"
            )[:1]
            return Coalesce(
                LocalMinute(Value(self.event.time_zone), Subquery(admitted)),
                Value(""),
                output_field=CharField(),
            )
        return F(field)

    def _seats(self):
        """Each registration's sub-forums with their seat state, "; "-separated, in time order."""
        seat_label = _labels("state", LABELS["seat"])
        return (
            SubForumSeat.objects.filter(registration=OuterRef("pk"))
            .order_by()
            .values("registration")
            .annotate(
                text=StringAgg(
                    Concat(
                        localized("sub_forum__title"),
                        Value(" ("),
                        seat_label,
                        Value(")"),
                        output_field=CharField(),
                    ),
                    delimiter=Value("; "),
                    order_by=("sub_forum__starts_at", "pk"),
                )
            )
            .values("text")
        )

    def queryset_of_strings(self, *, guard: bool):
        """values_list of one display string per column (formula-guarded for CSV), in the list's order."""
        needs_countries = [c.field for c in self.columns if c.key in ("country", "passport_nationality")]
        countries_used = {}
        for field in needs_countries:
            for code in self.queryset.order_by().values_list(field, flat=True).distinct():
                if code:
                    countries_used[code] = str(countries.name(code))
        cells = {}
        for index, column in enumerate(self.columns):
            cell = Coalesce(self._expression(column, countries_used), Value(""), output_field=CharField())
            # Labels, dates and times cannot start a formula; free text may.
            cells[f"c{index}"] = CsvGuard(cell) if guard and column.key in FREE_TEXT else cell
        return self.queryset.annotate(**cells).values_list(*cells)

    def csv_chunks(self) -> Iterator[bytes]:
        """BOM and header from Python, then the rows straight from COPY."""
        header = io.StringIO()
        header.write("\ufeff")
        csv.writer(header, quoting=csv.QUOTE_ALL, lineterminator="\n").writerow(
            [neutralise(str(column.label)) for column in self.columns]
        )
        yield header.getvalue().encode()
        sql, params = self.queryset_of_strings(guard=True).query.sql_with_params()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, FORCE_QUOTE *)", params) as copy,
        ):
            for block in copy:
                yield bytes(block)

    def rows(self, queryset=None) -> Iterator[tuple[str, ...]]:
        """Display rows without the formula guard (for XLSX, whose cells are text anyway)."""
        return self.queryset_of_strings(guard=False).iterator(chunk_size=BATCH)


def row_source(event: Event, columns: list[Column], queryset):
    """The fastest way this database can build the rows: SQL on PostgreSQL, Python elsewhere."""
    if connection.vendor == "postgresql":
        return SqlRows(event, columns, queryset)
    return RowBuilder(event, columns)
