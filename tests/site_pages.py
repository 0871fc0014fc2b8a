"""Every page kind of the public, delegate and staff site, on the demo content, for the checks that
sweep them all: English left in a translated page, axe-core, and the Nu HTML Checker."""

import csv
import dataclasses
import datetime
import io

from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from delegates import letters, services
from delegates.demo import load_demo_delegates
from delegates.imports import EXAMPLE, HEADER
from delegates.models import Delegation, Invitation
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from events.demo import EIGHTH_SLUG, SAMPLE_SLUG, load_demo
from events.models import Event
from tests.factories import ProfileFactory, registration_data, staff_member

LANGUAGES = ["en", "zh-hans", "ru"]


@dataclasses.dataclass(frozen=True)
class Upload:
    """A file sent with a form."""

    name: str
    content: bytes
    content_type: str


@dataclasses.dataclass(frozen=True)
class PageKind:
    """One kind of page: a name for reports, its path, and who looks at it (None: a visitor).

    With `form`, the page is the answer to that form posted to the path (a refused form, a preview).
    """

    name: str
    path: str
    who: str | None = None
    form: tuple[tuple[str, str | Upload], ...] = ()
    status: int = 200

    def form_data(self) -> dict:
        """The posted fields as the test client takes them (repeated names become lists, files files)."""
        data = {}
        for key, value in self.form:
            if isinstance(value, Upload):
                value = SimpleUploadedFile(value.name, value.content, content_type=value.content_type)
            data.setdefault(key, []).append(value)
        return {key: values[0] if len(values) == 1 else values for key, values in data.items()}


@dataclasses.dataclass
class DemoSite:
    """The demo loaded, with a delegate (approved, in person), a delegate imported by their
    delegation (consent pending), a staff member, an organizer and a delegation's focal point."""

    delegate: object
    imported: object
    staff: object
    organizer: object
    pages: list[PageKind]
    focal: object = None
    newcomer: object = None
    traveller: object = None

    def user(self, who: str | None):
        """The account that looks at a page of this kind."""
        return {
            None: None,
            "delegate": self.delegate,
            "imported": self.imported,
            "staff": self.staff,
            "organizer": self.organizer,
            "focal": self.focal,
            "newcomer": self.newcomer,
            "traveller": self.traveller,
        }[who]

    def fetch(self, page_kind: PageKind, language: str) -> bytes:
        """The page as its user gets it in the language (for a page kind with a form: the form's answer)."""
        client = Client()
        client.cookies["django_language"] = language
        if (user := self.user(page_kind.who)) is not None:
            client.force_login(user)
        if page_kind.form:
            # A refused registration comes back by a redirect (post/redirect/get): follow it.
            response = client.post(page_kind.path, page_kind.form_data(), follow=True)
        else:
            response = client.get(page_kind.path)
        assert response.status_code == page_kind.status, page_kind.name
        assert response["Content-Language"] == language, page_kind.name
        return response.content


def build_demo_site() -> DemoSite:
    """Load the demo editions and delegates, add the two accounts, and list every page kind."""
    editions = load_demo()
    load_demo_delegates()
    sample = editions[SAMPLE_SLUG]
    delegate = ProfileFactory(given_name_native="Айгерим", family_name_native="Садыкова").user
    EmailAddress.objects.create(user=delegate, email=delegate.email, verified=True, primary=True)
    sub_forums = list(sample.sub_forums.filter(slug__in=["beidou-cooperation", "green-development"]))
    arrival = sample.starts_at() - datetime.timedelta(days=1)
    registration = services.submit_registration(
        event=sample,
        user=delegate,
        details=registration_data(
            mode="in_person",
            arrival_at=arrival,
            departure_at=arrival + datetime.timedelta(days=4),
            flight="CZ 6001",
        ),
        sub_forums=sub_forums,
    )
    services.approve_registration(registration=registration, actor=None)
    imported = ProfileFactory(given_name_native="Нурбек", family_name_native="Жумабаев").user
    services.submit_registration(
        event=sample,
        user=imported,
        details=registration_data(consent_version=""),
        sub_forums=[],
        imported=True,
    )
    staff = staff_member(REGISTRATION_STAFF)
    organizer = staff_member(ORGANIZERS)
    focal, delegation, member = _focal_point(sample, arrival)
    newcomer = ProfileFactory(given_name_native="Мадина", family_name_native="Омарова").user
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=True, primary=True)
    traveller, letter_pages = _letter_pages(sample, arrival)
    return DemoSite(
        delegate=delegate,
        imported=imported,
        staff=staff,
        organizer=organizer,
        focal=focal,
        newcomer=newcomer,
        traveller=traveller,
        pages=_pages(sample, editions[EIGHTH_SLUG])
        + _focal_pages(sample, delegation, member)
        + letter_pages
        + _invitation_pages(sample, delegation),
    )


def _letter_pages(sample, arrival) -> tuple:
    """A delegate approved in person with a visa letter, reissued once: their registrations page and
    the verification pages of the current and of the revoked letter."""
    # The demo gave the sample edition its letter template (delegates/demo.py).
    traveller = ProfileFactory(given_name_native="Ерлан", family_name_native="Ахметов").user
    registration = services.submit_registration(
        event=sample,
        user=traveller,
        details=registration_data(
            mode="in_person",
            arrival_at=arrival,
            departure_at=arrival + datetime.timedelta(days=4),
            wants_visa_letter=True,
            passport_number="N87654321",
            passport_nationality="KZ",
            passport_birth_date=datetime.date(1979, 6, 2),
            passport_expires_on=sample.end_on + datetime.timedelta(days=400),
        ),
        sub_forums=[],
    )
    services.approve_registration(registration=registration, actor=None)
    revoked = letters.issue_letter(registration=registration, actor=None)
    valid = letters.issue_letter(registration=registration, actor=None)
    return traveller, [
        PageKind("my registrations, with a visa letter", "/me/", "traveller"),
        PageKind("visa letter verification", f"/letters/{valid.token}/"),
        PageKind("visa letter verification, revoked", f"/letters/{revoked.token}/"),
    ]


def _invitation_pages(sample, delegation) -> list[PageKind]:
    """The sample edition made by invitation: its register page with a valid code, without one,
    with a revoked one and with one that makes a focal point, for an account not yet registered
    (the demo's `create_demo_accounts` does the same to the sample edition)."""
    sample.access = Event.Access.INVITATION
    sample.save(update_fields=["access"])
    valid = Invitation.objects.create(event=sample, delegation=delegation, max_uses=5)
    revoked = Invitation.objects.create(event=sample, revoked_at=timezone.now())
    focal = Invitation.objects.create(event=sample, delegation=delegation, makes_focal_point=True)
    register = f"/events/{SAMPLE_SLUG}/register/"
    return [
        PageKind("edition by invitation", f"/events/{SAMPLE_SLUG}/"),
        PageKind("register with an invitation", f"{register}?invitation={valid.code}", "newcomer"),
        PageKind("focal point invitation", f"{register}?invitation={focal.code}", "newcomer"),
        PageKind("register without an invitation", register, "newcomer", status=403),
        PageKind(
            "register, revoked invitation", f"{register}?invitation={revoked.code}", "newcomer", status=403
        ),
    ]


def _focal_point(sample, arrival) -> tuple:
    """A focal point of a delegation of the sample edition (the demo's first, else Kazakhstan) and
    the member they added, in person with a visa letter (consent pending, passport masked)."""
    delegation = sample.delegations.order_by("pk").first() or Delegation.objects.create(
        event=sample, name_en="Kazakhstan", name_ru="Казахстан", name_zh_hans="哈萨克斯坦", country="KZ"
    )
    focal = ProfileFactory(given_name_native="Данияр", family_name_native="Ахметов").user
    delegation.focal_points.add(focal)
    member = services.add_delegation_member(
        delegation=delegation,
        actor=focal,
        email="aizhan.member@example.org",
        profile=ProfileFactory.build(user=None, given_name_native="Айжан", family_name_native="Нурланова"),
        details=registration_data(
            mode="in_person",
            consent_version="",
            arrival_at=arrival,
            departure_at=arrival + datetime.timedelta(days=4),
            wants_visa_letter=True,
            passport_number="N12345678",
            passport_nationality="KZ",
            passport_birth_date=datetime.date(1985, 3, 14),
            passport_expires_on=sample.end_on + datetime.timedelta(days=400),
        ),
        sub_forums=list(sample.sub_forums.filter(slug="beidou-cooperation")),
    )
    return focal, delegation, member


def _focal_pages(sample, delegation, member) -> list[PageKind]:
    """The focal point's pages: the delegation, and adding, editing, replacing and cancelling a member."""
    base = f"/me/delegations/{delegation.pk}"
    return [
        PageKind("my registrations, focal point", "/me/", "focal"),
        PageKind("delegation", f"{base}/", "focal"),
        PageKind("delegation, add a member", f"{base}/members/add/", "focal"),
        PageKind(
            "delegation, add a member with errors",
            f"{base}/members/add/",
            "focal",
            form=(("email", "not-an-email"), ("given_name_latin", "张伟"), ("mode", "in_person")),
        ),
        PageKind("delegation, edit a member's logistics", f"{base}/members/{member.pk}/edit/", "focal"),
        PageKind("delegation, replace a member", f"{base}/members/{member.pk}/replace/", "focal"),
        PageKind("delegation, cancel a member", f"{base}/members/{member.pk}/cancel/", "focal"),
    ]


def _delegation_list() -> Upload:
    """A delegation list of two rows, the second with errors, for the import preview."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerow(EXAMPLE)
    writer.writerow(["not-an-email", "张伟", *EXAMPLE[2:8], "Atlantis", "12", *EXAMPLE[10:]])
    return Upload("delegation.csv", buffer.getvalue().encode("utf-8-sig"), "text/csv")


def _pages(sample, eighth) -> list[PageKind]:
    """The fixed list of URLs: one of each page kind (Django's own admin is out of scope)."""
    edition = f"/events/{SAMPLE_SLUG}"
    sub_forum = sample.sub_forums.get(slug="beidou-cooperation")
    exhibit = sample.exhibits.filter(is_featured=True).first()
    document = eighth.documents.get(slug="joint-initiative")  # documents are not cloned
    staff = f"/staff/{SAMPLE_SLUG}"
    online = sample.registrations.filter(mode="online", status="approved").first()
    return [
        PageKind("home", "/"),
        PageKind("editions", "/events/"),
        PageKind("edition", f"{edition}/"),
        PageKind("past edition", f"/events/{EIGHTH_SLUG}/"),
        PageKind("programme", f"{edition}/programme/"),
        PageKind("sub-forum", f"{edition}/sub-forums/{sub_forum.slug}/"),
        PageKind("speakers", f"{edition}/speakers/"),
        PageKind("exhibits", f"{edition}/exhibits/"),
        PageKind("exhibits filtered", f"{edition}/exhibits/?sector=logistics&country=KZ"),
        PageKind("exhibit", f"{edition}/exhibits/{exhibit.slug}/"),
        PageKind("documents", f"/events/{EIGHTH_SLUG}/documents/"),
        PageKind("document", f"/events/{EIGHTH_SLUG}/documents/{document.slug}/"),
        PageKind("privacy", "/privacy/"),
        PageKind("not found", "/events/no-such-edition/", status=404),
        PageKind("sign in", "/accounts/login/"),
        PageKind(
            "sign in, wrong password",
            "/accounts/login/",
            form=(("login", "nobody@example.org"), ("password", "not the password")),
        ),
        PageKind("sign up", "/accounts/signup/"),
        PageKind("sign in to register", f"/accounts/login/?next={edition}/register/"),
        PageKind("sign up to register", f"/accounts/signup/?next={edition}/register/"),
        PageKind("password reset", "/accounts/password/reset/"),
        PageKind("password reset sent", "/accounts/password/reset/done/"),
        PageKind("confirmation sent", "/accounts/confirm-email/"),
        PageKind("my registrations", "/me/", "delegate"),
        PageKind("profile", "/me/profile/", "delegate"),
        PageKind(
            "profile with errors",
            "/me/profile/",
            "delegate",
            form=(("given_name_latin", "张伟"), ("family_name_latin", ""), ("phone", "12")),
        ),
        PageKind("registration form", f"{edition}/register/", "delegate"),
        PageKind(
            "registration form with errors",
            f"{edition}/register/",
            "delegate",
            form=(("mode", "in_person"), ("wants_visa_letter", "on"), ("passport_number", "X")),
        ),
        PageKind("my registrations, consent pending", "/me/", "imported"),
        PageKind("consent", f"/me/{SAMPLE_SLUG}/consent/", "imported"),
        PageKind("cancel", f"/me/{SAMPLE_SLUG}/cancel/", "delegate"),
        PageKind("email addresses", "/accounts/email/", "delegate"),
        PageKind("change password", "/accounts/password/change/", "delegate"),
        PageKind("staff home", "/staff/", "staff"),
        PageKind("staff registrations", f"{staff}/registrations/", "staff"),
        PageKind("staff registrations filtered", f"{staff}/registrations/?status=approved&q=a", "staff"),
        PageKind("staff registrations by delegation", f"{staff}/registrations/?sort=delegation", "staff"),
        PageKind("dashboard", f"{staff}/dashboard/", "staff"),
        PageKind("protocol list", f"{staff}/protocol/", "staff"),
        PageKind("check-in desk", f"{staff}/check-in/", "staff"),
        PageKind("check-in desk, search", f"{staff}/check-in/?q=a", "staff"),
        PageKind(
            "check-in desk, refused",
            f"{staff}/check-in/",
            "staff",
            form=(("point", ""), ("registration", str(online.pk))),
        ),
        PageKind("import", f"{staff}/import/", "organizer"),
        PageKind("import preview", f"{staff}/import/", "organizer", form=(("file", _delegation_list()),)),
    ]
