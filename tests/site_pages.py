"""Every page kind of the public, delegate and staff site, on the demo content, for the checks that
sweep them all: English left in a translated page, axe-core, and the Nu HTML Checker."""

import dataclasses
import datetime

from allauth.account.models import EmailAddress

from delegates import services
from delegates.demo import load_demo_delegates
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF
from events.demo import EIGHTH_SLUG, SAMPLE_SLUG, load_demo
from tests.factories import ProfileFactory, registration_data, staff_member

LANGUAGES = ["en", "zh-hans", "ru"]


@dataclasses.dataclass(frozen=True)
class PageKind:
    """One kind of page: a name for reports, its path, and who looks at it (None: a visitor)."""

    name: str
    path: str
    who: str | None = None


@dataclasses.dataclass
class DemoSite:
    """The demo loaded, with a delegate (approved, in person), a staff member and an organizer."""

    delegate: object
    staff: object
    organizer: object
    pages: list[PageKind]

    def user(self, who: str | None):
        """The account that looks at a page of this kind."""
        return {None: None, "delegate": self.delegate, "staff": self.staff, "organizer": self.organizer}[who]


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
        data=registration_data(
            mode="in_person",
            arrival_at=arrival,
            departure_at=arrival + datetime.timedelta(days=4),
            flight="CZ 6001",
        ),
        sub_forums=sub_forums,
    )
    services.approve_registration(registration=registration, actor=None)
    staff = staff_member(REGISTRATION_STAFF, with_totp=False)
    organizer = staff_member(ORGANIZERS, with_totp=False)
    return DemoSite(
        delegate=delegate, staff=staff, organizer=organizer, pages=_pages(sample, editions[EIGHTH_SLUG])
    )


def _pages(sample, eighth) -> list[PageKind]:
    """The fixed list of URLs: one of each page kind (Django's own admin is out of scope)."""
    edition = f"/events/{SAMPLE_SLUG}"
    sub_forum = sample.sub_forums.get(slug="beidou-cooperation")
    exhibit = sample.exhibits.filter(is_featured=True).first()
    document = eighth.documents.get(slug="joint-initiative")  # documents are not cloned
    staff = f"/staff/{SAMPLE_SLUG}"
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
        PageKind("not found", "/events/no-such-edition/"),
        PageKind("sign in", "/accounts/login/"),
        PageKind("sign up", "/accounts/signup/"),
        PageKind("password reset", "/accounts/password/reset/"),
        PageKind("password reset sent", "/accounts/password/reset/done/"),
        PageKind("confirmation sent", "/accounts/confirm-email/"),
        PageKind("my registrations", "/me/", "delegate"),
        PageKind("profile", "/me/profile/", "delegate"),
        PageKind("registration form", f"{edition}/register/", "delegate"),
        PageKind("cancel", f"/me/{SAMPLE_SLUG}/cancel/", "delegate"),
        PageKind("email addresses", "/accounts/email/", "delegate"),
        PageKind("change password", "/accounts/password/change/", "delegate"),
        PageKind("staff home", "/staff/", "staff"),
        PageKind("staff registrations", f"{staff}/registrations/", "staff"),
        PageKind("staff registrations filtered", f"{staff}/registrations/?status=approved&q=a", "staff"),
        PageKind("dashboard", f"{staff}/dashboard/", "staff"),
        PageKind("check-in desk", f"{staff}/check-in/", "staff"),
        PageKind("import", f"{staff}/import/", "organizer"),
    ]
