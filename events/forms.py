"""Forms of the organizers' admin: edition cloning and checked uploads."""

import datetime
import zoneinfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from .documents import check_pdf
from .images import reencode_image
from .models import Document, Event, Exhibit, Speaker
from .uploads import check_size

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class EventAdminForm(forms.ModelForm):
    """The edition form, with the time zone picked from a list."""

    time_zone = forms.ChoiceField(label=_("time zone"), choices=TIME_ZONE_CHOICES)

    class Meta:
        model = Event
        fields = "__all__"


class ReencodedImageMixin:
    """Re-encodes the model form's picture fields listed in `image_fields`, within the size cap."""

    image_fields: tuple[str, ...] = ()

    def clean(self):
        """Replace each uploaded picture by its re-encoded copy, or report why it cannot be taken."""
        cleaned = super().clean()
        for name in self.image_fields:
            upload = cleaned.get(name)
            if upload and hasattr(upload, "content_type"):
                try:
                    check_size(upload, settings.FORUM_MAX_IMAGE_BYTES)
                    cleaned[name] = reencode_image(upload)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class SpeakerAdminForm(ReencodedImageMixin, forms.ModelForm):
    image_fields = ("photo",)

    class Meta:
        model = Speaker
        fields = "__all__"


class ExhibitAdminForm(ReencodedImageMixin, forms.ModelForm):
    image_fields = ("image",)

    class Meta:
        model = Exhibit
        fields = "__all__"


class DocumentAdminForm(forms.ModelForm):
    """Documents accept PDF files only, read by a PDF library, without scripts, within the size cap."""

    class Meta:
        model = Document
        fields = "__all__"

    def clean_file(self):
        """A new upload must be a PDF that only shows pages (the stored file was checked already)."""
        upload = self.cleaned_data.get("file")
        if upload and hasattr(upload, "content_type"):
            check_size(upload, settings.FORUM_MAX_DOCUMENT_BYTES)
            check_pdf(upload)
        return upload


# The years a new edition may start in: the copy shifts every date of the source by the same
# distance, which must stay far from the calendar's ends (years 1 and 9999 overflow).
FIRST_CLONE_DAY = datetime.date(2000, 1, 1)
LAST_CLONE_DAY = datetime.date(2999, 12, 31)
# The edition number is stored in a PositiveSmallIntegerField.
LARGEST_EDITION_NUMBER = 32767


class CloneEventForm(forms.Form):
    """What an organizer gives when cloning an edition."""

    start_on = forms.DateField(
        label=_("First day of the new edition"),
        widget=forms.DateInput(attrs={"type": "date", "min": FIRST_CLONE_DAY, "max": LAST_CLONE_DAY}),
        validators=[MinValueValidator(FIRST_CLONE_DAY), MaxValueValidator(LAST_CLONE_DAY)],
    )
    edition_number = forms.IntegerField(
        label=_("Edition number"), min_value=1, max_value=LARGEST_EDITION_NUMBER
    )
    slug = forms.SlugField(label=_("Slug"), max_length=100)

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if Event.objects.filter(slug=slug).exists():
            raise ValidationError(_("An edition with this slug already exists."))
        return slug
