"""Size caps of uploaded files, checked by the forms that take them, with a message people read.

(Django's DATA_UPLOAD_MAX_MEMORY_SIZE counts only a form's other fields, never its files.)"""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def check_size(upload, limit: int) -> None:
    """Refuse an upload larger than `limit` bytes, saying how large it is and what is accepted."""
    if upload.size > limit:
        raise ValidationError(
            _("This file is %(size)s; the largest accepted is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
