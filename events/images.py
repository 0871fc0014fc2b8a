"""Uploaded pictures are opened, checked and re-encoded, so nothing but pixels is stored."""

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000
MAX_SIDE = 2400


def reencode_image(upload) -> SimpleUploadedFile:
    """Return a fresh JPEG or PNG of the upload: metadata stripped, size bounded."""
    try:
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(_("This picture is too large; upload one under 40 megapixels."))
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            has_alpha = image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info)
            out = io.BytesIO()
            if has_alpha:
                image.convert("RGBA").save(out, format="PNG", optimize=True)
                extension, content_type = "png", "image/png"
            else:
                image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
                extension, content_type = "jpg", "image/jpeg"
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise ValidationError(_("This file is not a picture we can read (use JPEG, PNG or WebP).")) from error
    return SimpleUploadedFile(f"image.{extension}", out.getvalue(), content_type=content_type)
