"""Uploaded documents are parsed as PDF and refused when they carry scripts, actions or attachments.

A PDF is published as uploaded (a signed outcome document keeps its signature), so it is checked
rather than rewritten: every object the file holds is read, reachable from the catalogue or not,
because a viewer repairing a damaged file may find what a straight reading misses."""

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# Keys and action types that make a PDF do something beyond showing its pages.
SCRIPT_KEYS = {"/JS", "/JavaScript", "/XFA", "/RichMediaContent"}
SCRIPT_ACTIONS = {"/JavaScript", "/RichMediaExecute"}
OUTSIDE_ACTIONS = {"/Launch", "/GoToR", "/GoToE", "/SubmitForm", "/ImportData"}
ATTACHMENT_KEYS = {"/EmbeddedFiles", "/EF"}


def check_pdf(upload) -> None:
    """Raise a ValidationError unless the upload is a PDF that opens without a password and only shows pages."""
    data = upload.read()
    upload.seek(0)
    if not data.startswith(b"%PDF-"):
        raise ValidationError(_("Upload the document as a PDF file."), code="not_pdf")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # A PDF that opens without a password (owner restrictions only) is read as viewers read it.
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("This PDF is encrypted or protected by a password: upload it without protection."),
                code="encrypted",
            )
        if len(reader.pages) == 0:
            raise ValidationError(_("Upload the document as a PDF file."), code="not_pdf")
        finding = _active_content(reader)
    except ValidationError:
        raise
    except Exception as error:  # any broken or disguised file: pypdf raises many kinds of error
        raise ValidationError(_("Upload the document as a PDF file."), code="not_pdf") from error
    if finding:
        raise ValidationError(
            _(
                "This PDF contains %(what)s, which the site does not publish. Print it to a new PDF "
                "(or export it again without these features) and upload that file."
            ),
            code="active_content",
            params={"what": finding},
        )


def _active_content(reader: PdfReader) -> str:
    """What the first active object found does, in words, or "" when the PDF only shows pages."""
    for obj in _every_object(reader):
        finding = _active_in(obj)
        if finding:
            return finding
    return ""


def _every_object(reader: PdfReader):
    """The trailer and every numbered object of the file, including objects inside object streams."""
    yield reader.trailer
    for generation, numbers in reader.xref.items():
        for number in numbers:
            yield reader.get_object(IndirectObject(number, generation, reader))
    for number in reader.xref_objStm:
        yield reader.get_object(IndirectObject(number, 0, reader))


def _active_in(obj) -> str:
    """Search one object and what it holds directly (references are searched as objects of their own)."""
    pending = [obj]
    while pending:
        item = pending.pop()
        if isinstance(item, DictionaryObject):
            finding = _active_dictionary(item)
            if finding:
                return finding
            pending.extend(value for value in item.values() if not isinstance(value, IndirectObject))
        elif isinstance(item, ArrayObject):
            pending.extend(value for value in item if not isinstance(value, IndirectObject))
    return ""


def _active_dictionary(dictionary: DictionaryObject) -> str:
    """What a dictionary makes the PDF do, in words, or "" when it is passive."""
    keys = set(dictionary.keys())
    action = dictionary.get("/S")
    action = action if isinstance(action, NameObject) else None
    if keys & SCRIPT_KEYS or action in SCRIPT_ACTIONS:
        return _("JavaScript")
    if action in OUTSIDE_ACTIONS:
        return _("an action that starts a program, opens another file or sends data")
    if keys & ATTACHMENT_KEYS or dictionary.get("/Type") == "/EmbeddedFile":
        return _("attached files")
    return ""
