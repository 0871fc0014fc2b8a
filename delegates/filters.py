"""The staff list's filters, search and sorting; the exports use exactly the same queryset."""

import datetime

import django_filters
from django import forms
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from events.filters import StrictFilterSet
from events.models import AttendanceMode, Event

from .models import CheckIn, Delegation, Profile, Registration, SubForumSeat
from .protocol import ordered_delegations

NO_DELEGATION = "none"
YES_NO = [("yes", _("Yes")), ("no", _("No"))]
SORTS = {
    "name": ("user__profile__family_name_latin", "user__profile__given_name_latin", "pk"),
    "-name": ("-user__profile__family_name_latin", "-user__profile__given_name_latin", "-pk"),
    "country": ("user__profile__country", "user__profile__family_name_latin", "pk"),
    "organization": ("user__profile__organization", "user__profile__family_name_latin", "pk"),
    "status": ("status", "seat_requested_at", "pk"),
    "arrival": ("arrival_at", "pk"),
    "registered": ("created_at", "pk"),
    "-registered": ("-created_at", "-pk"),
}


class RegistrationFilter(StrictFilterSet):
    """Filters that combine with AND; every value lives in the query string."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_text", max_length=200)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Registration.Status.choices)
    mode = django_filters.ChoiceFilter(label=_("Attendance"), choices=AttendanceMode.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Registration.Category.choices)
    country = django_filters.ChoiceFilter(label=_("Country"), field_name="user__profile__country")
    sub_forum = django_filters.ChoiceFilter(label=_("Sub-forum"), method="filter_sub_forum")
    delegation = django_filters.ChoiceFilter(label=_("Delegation"), method="filter_delegation")
    checked_in = django_filters.ChoiceFilter(
        label=_("Checked in"), choices=YES_NO, method="filter_checked_in"
    )
    arrival_on = django_filters.DateFilter(
        label=_("Arrival day"), method="filter_arrival_on", widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        method="filter_sort",
        empty_label=_("Newest first"),
        choices=[
            ("name", _("Name (A–Z)")),
            ("-name", _("Name (Z–A)")),
            ("country", _("Country")),
            ("organization", _("Organization")),
            ("status", _("Status, then place in line")),
            ("arrival", _("Arrival")),
            ("registered", _("Oldest first")),
            ("delegation", _("Delegation (protocol order), then name")),
        ],
    )

    class Meta:
        model = Registration
        fields = [
            "q",
            "status",
            "mode",
            "category",
            "country",
            "sub_forum",
            "delegation",
            "checked_in",
            "arrival_on",
            "sort",
        ]

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        codes = (
            Profile.objects.filter(user__registrations__event=event)
            .values_list("country", flat=True)
            .distinct()
        )
        self.filters["country"].extra["choices"] = sorted(
            ((code, countries.name(code)) for code in codes if code), key=lambda choice: str(choice[1])
        )
        self.filters["sub_forum"].extra["choices"] = [
            (str(pk), title) for pk, title in event.sub_forums.values_list("pk", "title")
        ]
        # Read when the form is drawn or a delegation is asked for: an export without one spends no query.
        self.filters["delegation"].extra["choices"] = self._delegation_choices

    @cached_property
    def delegations(self) -> list[Delegation]:
        """The edition's delegations in protocol order."""
        return ordered_delegations(self.event)

    def _delegation_choices(self) -> list[tuple[str, str]]:
        """The edition's delegations in protocol order, named in the reader's language, then "none"."""
        return [
            *((str(delegation.pk), delegation.name) for delegation in self.delegations),
            (NO_DELEGATION, _("No delegation")),
        ]

    def filter_text(self, queryset, name, value):
        """Every word in a name (either script), the organization or the email."""
        return queryset.matching(value)

    def filter_sub_forum(self, queryset, name, value):
        """Registrations that chose this sub-forum (whatever their seat)."""
        return queryset.filter(
            Exists(SubForumSeat.objects.filter(registration=OuterRef("pk"), sub_forum_id=value))
        )

    def filter_delegation(self, queryset, name, value):
        """Members of one of the edition's delegations, or registrations of no delegation."""
        if value == NO_DELEGATION:
            return queryset.filter(delegation__isnull=True)
        return queryset.filter(delegation_id=value)

    def filter_checked_in(self, queryset, name, value):
        """Admitted at the venue entrance, or not yet."""
        admitted = Exists(CheckIn.objects.filter(registration=OuterRef("pk"), sub_forum__isnull=True))
        return queryset.filter(admitted if value == "yes" else ~admitted)

    def filter_arrival_on(self, queryset, name, value):
        """Arriving on this day in the edition's time zone (nobody arrives in year 1 or 9999)."""
        if not datetime.date(1900, 1, 1) <= value <= datetime.date(2999, 12, 31):
            return queryset.none()
        start = datetime.datetime.combine(value, datetime.time.min, tzinfo=self.event.tz)
        return queryset.filter(arrival_at__gte=start, arrival_at__lt=start + datetime.timedelta(days=1))

    def filter_sort(self, queryset, name, value):
        """One of the fixed sort orders."""
        if value == "delegation":
            return queryset.order_by(self._protocol_rank(), *SORTS["name"][:2], "pk")
        return queryset.order_by(*SORTS[value])

    def _protocol_rank(self) -> Case:
        """Each registration's delegation's place in protocol order (none: last); the order's ties go by
        country names, which the database does not hold, so the ranks come from the choices' order."""
        return Case(
            *(
                When(delegation_id=delegation.pk, then=Value(rank))
                for rank, delegation in enumerate(self.delegations)
            ),
            default=Value(len(self.delegations)),
            output_field=IntegerField(),
        )


def filtered_registrations(event: Event, params) -> RegistrationFilter:
    """The edition's registrations under the staff member's filters (invalid filters: none)."""
    return RegistrationFilter(
        params, queryset=event.registrations.order_by("-created_at", "-pk"), event=event
    )
