"""The exhibit filters visitors combine: sector, country served, free text."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .inputs import has_control_characters
from .models import Exhibit
from .selectors import search_exhibits


class ControlCharacterFreeForm(forms.Form):
    """A filter form that refuses control characters (NUL above all) in every value it reads."""

    def clean(self):
        """Mark each field whose raw value (any of its parts or repeats) holds a control character."""
        cleaned = super().clean()
        for name in self.fields:
            prefix = self.add_prefix(name)
            keys = [key for key in self.data if key == prefix or key.startswith(f"{prefix}_")]
            values = [value for key in keys for value in _all_values(self.data, key)]
            if any(isinstance(value, str) and has_control_characters(value) for value in values):
                self.add_error(name, _("Remove the control characters from this value."))
        return cleaned


def _all_values(data, key) -> list:
    """Every value given for a key (a query string may repeat it)."""
    return data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]


class StrictFilterSet(django_filters.FilterSet):
    """A filter value that is not offered yields its form error and no rows, never a silent "all";
    a value with a control character is refused in every filter, present or future."""

    def get_form_class(self):
        """The filters' form, on top of the one that refuses control characters."""
        form_class = super().get_form_class()
        return type(form_class.__name__, (ControlCharacterFreeForm, form_class), {})

    @property
    def qs(self):
        """The filtered rows, or none when a filter value is invalid."""
        return super().qs if self.is_valid() else self.queryset.none()


class ExhibitFilter(StrictFilterSet):
    """Filters that combine with AND and live in the query string."""

    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": 200}),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), field_name="sectors__slug", empty_label=_("All sectors")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country served"), method="filter_country", empty_label=_("All countries")
    )

    class Meta:
        model = Exhibit
        fields = ["q", "sector", "country"]

    def __init__(self, *args, sectors: list, countries: list, **kwargs):
        """`sectors` and `countries`: the (value, label) choices the edition offers (exhibit_choices)."""
        super().__init__(*args, **kwargs)
        self.filters["sector"].extra["choices"] = sectors
        self.filters["country"].extra["choices"] = countries

    def filter_text(self, queryset, name, value):
        """Every word must appear in the exhibit or its exhibitor."""
        return search_exhibits(queryset, value)

    def filter_country(self, queryset, name, value):
        """Exhibits that serve this country (stored as a comma-separated list of codes)."""
        return queryset.filter(countries_served__regex=rf"(^|,){value}(,|$)")
