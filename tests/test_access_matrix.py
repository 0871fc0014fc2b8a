"""Who gets what at every URL of the project: each pattern of the URL resolver, for seven roles.

Every pattern the resolver knows (ours, allauth's, the admin's) must be classified below, once, with
its answer for each role; a pattern nobody classified fails `test_every_url_pattern_is_classified`,
so a new page cannot ship without saying who may see it. The admin and allauth are classified by
families (every admin URL of a model follows from what each role may do with that model).

Answers: "200", "404", "403", "405", or "302 <where>" where <where> is "login" (the sign-in page),
"admin-login", "mfa" (set up two-factor authentication), "reauthenticate" or a path.
"""

import datetime
import uuid
from dataclasses import dataclass, field

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_tasks_db.models import DBTaskResult

from delegates.letters import issue_letter
from delegates.models import AuditEntry, Delegation, ExportPreset, OutboxMessage
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

from .factories import (
    DelegationFactory,
    DocumentFactory,
    ExhibitFactory,
    InvitationFactory,
    LetterTemplateFactory,
    ProfileFactory,
    RegistrationFactory,
    SectorFactory,
    SpeakerFactory,
    SubForumFactory,
    add_totp,
    open_event,
    staff_member,
    superuser,
)

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
DELEGATE_A = "delegate A"
DELEGATE_B = "delegate B"  # signed in, on A's registration and edition
STAFF = "registration staff"
ORGANIZER_WITHOUT_TOTP = "organizer without TOTP"
ORGANIZER = "organizer"
SUPERUSER = "superuser"
ROLES = [ANONYMOUS, DELEGATE_A, DELEGATE_B, STAFF, ORGANIZER_WITHOUT_TOTP, ORGANIZER, SUPERUSER]
DELEGATES = {DELEGATE_A, DELEGATE_B}
ADMIN_ROLES = {STAFF, ORGANIZER, SUPERUSER}  # staff accounts that have set up two-factor authentication
WITH_TOTP = ADMIN_ROLES
STAFF_ACCOUNTS = [STAFF, ORGANIZER_WITHOUT_TOTP, ORGANIZER, SUPERUSER]

OK, NOT_FOUND, FORBIDDEN, NOT_ALLOWED = "200", "404", "403", "405"
LOGIN, ADMIN_LOGIN, MFA, REAUTHENTICATE = "302 login", "302 admin-login", "302 mfa", "302 reauthenticate"


@dataclass
class World:
    """The objects whose keys fill the URLs: A's registration on an open edition, and the rest."""

    event: object
    sub_forum: object
    exhibit: object
    document: object
    users: dict
    objects: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    """How to ask for one URL pattern, and the answer each role gets."""

    url: object  # World -> the path
    expect: dict
    method: str = "get"


def same(answer: str) -> dict:
    """Everyone gets the same answer."""
    return dict.fromkeys(ROLES, answer)


def signed_in(answer: str, anonymous: str = LOGIN) -> dict:
    """Any account gets `answer`; anonymous visitors are sent to sign in."""
    return {**same(answer), ANONYMOUS: anonymous}


def staff_page(staff: str = OK, organizer: str = OK) -> dict:
    """A staff page: sign in; delegates 404; staff without TOTP set it up first."""
    return {
        ANONYMOUS: LOGIN,
        DELEGATE_A: NOT_FOUND,
        DELEGATE_B: NOT_FOUND,
        STAFF: staff,
        ORGANIZER_WITHOUT_TOTP: MFA,
        ORGANIZER: organizer,
        SUPERUSER: organizer,
    }


def admin_page(answers: dict, anonymous: str = ADMIN_LOGIN) -> dict:
    """An admin page: non-staff go to the admin's sign-in; staff without TOTP set it up first."""
    return {
        ANONYMOUS: anonymous,
        DELEGATE_A: ADMIN_LOGIN,
        DELEGATE_B: ADMIN_LOGIN,
        ORGANIZER_WITHOUT_TOTP: MFA,
        **{role: answers.get(role, FORBIDDEN) for role in ADMIN_ROLES},
    }


def allowed(roles: set, answer: str = OK) -> dict:
    """`answer` for these staff roles, 403 for the other staff."""
    return {role: answer if role in roles else FORBIDDEN for role in ADMIN_ROLES}


def edition(path: str):
    """A URL of the edition A registered for."""
    return lambda world: path.format(event=world.event.slug)


def registration_url(suffix: str):
    """A staff URL of A's registration."""
    return lambda world: (
        f"/staff/{world.event.slug}/registrations/{world.objects['delegates.registration'].pk}/{suffix}"
    )


def focal_url(suffix: str):
    """A URL of the delegation A is the focal point of ("{member}": its member's key)."""
    return lambda world: (
        f"/me/delegations/{world.objects['focal.delegation'].pk}/"
        + suffix.format(member=world.objects["focal.member"].pk)
    )


REGISTRATION_PAGE = "302 /staff/{event}/registrations/{pk:delegates.registration}/"
SIGNED_IN_HOME = "302 /me/"

CASES = {
    # The public site and the project's own small URLs.
    "healthz": Case(lambda world: "/healthz", same(OK)),
    "privacy": Case(lambda world: "/privacy/", same(OK)),
    "set_language": Case(lambda world: "/i18n/setlang/", same("302 /"), method="post"),
    "events:home": Case(lambda world: "/", same(OK)),
    "events:list": Case(lambda world: "/events/", same(OK)),
    "events:detail": Case(edition("/events/{event}/"), same(OK)),
    "events:programme": Case(edition("/events/{event}/programme/"), same(OK)),
    "events:programme_ics": Case(edition("/events/{event}/programme.ics"), same(OK)),
    "events:sub_forum": Case(
        lambda world: f"/events/{world.event.slug}/sub-forums/{world.sub_forum.slug}/", same(OK)
    ),
    "events:speakers": Case(edition("/events/{event}/speakers/"), same(OK)),
    "events:exhibits": Case(edition("/events/{event}/exhibits/"), same(OK)),
    "events:exhibit": Case(
        lambda world: f"/events/{world.event.slug}/exhibits/{world.exhibit.slug}/", same(OK)
    ),
    "events:documents": Case(edition("/events/{event}/documents/"), same(OK)),
    "events:document": Case(
        lambda world: f"/events/{world.event.slug}/documents/{world.document.slug}/", same(OK)
    ),
    # The matrix's document has no file, so its download is missing for everyone; the download
    # itself (public, a PDF attachment) is tested in tests/test_uploads.py.
    "events:document_file": Case(
        lambda world: f"/events/{world.event.slug}/documents/{world.document.slug}/file.pdf", same(NOT_FOUND)
    ),
    # A delegate's own pages: B (and staff, who have no registration here) never reach A's.
    # Staff accounts have no delegate profile: they are asked for one first.
    "delegates:register": Case(
        edition("/events/{event}/register/"),
        signed_in(OK) | dict.fromkeys(STAFF_ACCOUNTS, "302 /me/profile/"),
    ),
    "delegates:me": Case(lambda world: "/me/", signed_in(OK)),
    "delegates:profile": Case(lambda world: "/me/profile/", signed_in(OK)),
    "delegates:cancel": Case(edition("/me/{event}/cancel/"), {**signed_in(NOT_FOUND), DELEGATE_A: OK}),
    "delegates:badge": Case(edition("/me/{event}/badge.pdf"), {**signed_in(NOT_FOUND), DELEGATE_A: OK}),
    "delegates:consent": Case(edition("/me/{event}/consent/"), {**signed_in(NOT_FOUND), DELEGATE_A: OK}),
    # A's visa letter: A downloads it; everyone else, staff included, gets 404 (organizers use the admin).
    "delegates:my_letter": Case(
        lambda world: f"/me/letters/{world.objects['delegates.visaletter'].reference}/",
        {**signed_in(NOT_FOUND), DELEGATE_A: OK},
    ),
    # Its verification page (its QR code) is public: it shows no passport data.
    "delegates:letter_verify": Case(
        lambda world: f"/letters/{world.objects['delegates.visaletter'].token}/", same(OK)
    ),
    # A delegation's pages: its focal point (A) only; everyone else, staff included, gets 404.
    "delegates:delegation": Case(focal_url(""), {**signed_in(NOT_FOUND), DELEGATE_A: OK}),
    "delegates:delegation_member_add": Case(
        focal_url("members/add/"), {**signed_in(NOT_FOUND), DELEGATE_A: OK}
    ),
    **{
        f"delegates:delegation_member_{action}": Case(
            focal_url(f"members/{{member}}/{action}/"), {**signed_in(NOT_FOUND), DELEGATE_A: OK}
        )
        for action in ("edit", "replace", "cancel")
    },
    # The staff area: Registration staff and Organizers; import is for Organizers only.
    "staff:home": Case(lambda world: "/staff/", staff_page()),
    "staff:registrations": Case(edition("/staff/{event}/registrations/"), staff_page()),
    # Exports and badge sheets are audited and may be large: POST only (their POSTs are in POSTED).
    "staff:export_csv": Case(
        edition("/staff/{event}/registrations/export.csv"), staff_page(NOT_ALLOWED, NOT_ALLOWED)
    ),
    "staff:export_xlsx": Case(
        edition("/staff/{event}/registrations/export.xlsx"), staff_page(NOT_ALLOWED, NOT_ALLOWED)
    ),
    "staff:dashboard": Case(edition("/staff/{event}/dashboard/"), staff_page()),
    "staff:badges": Case(edition("/staff/{event}/badges.pdf"), staff_page(NOT_ALLOWED, NOT_ALLOWED)),
    "staff:check_in": Case(edition("/staff/{event}/check-in/"), staff_page()),
    "staff:check_in_counts": Case(edition("/staff/{event}/check-in/counts.json"), staff_page()),
    # The protocol list: a page for those who may export; its files are audited exports, so POST only.
    "staff:protocol": Case(edition("/staff/{event}/protocol/"), staff_page()),
    "staff:protocol_xlsx": Case(
        edition("/staff/{event}/protocol.xlsx"), staff_page(NOT_ALLOWED, NOT_ALLOWED)
    ),
    "staff:protocol_pdf": Case(edition("/staff/{event}/protocol.pdf"), staff_page(NOT_ALLOWED, NOT_ALLOWED)),
    "staff:import": Case(edition("/staff/{event}/import/"), staff_page(staff=NOT_FOUND)),
    "staff:import_template": Case(edition("/staff/{event}/import/template.csv"), staff_page(staff=NOT_FOUND)),
    "staff:save_preset": Case(
        edition("/staff/{event}/presets/"), staff_page(*["302 /staff/{event}/registrations/"] * 2), "post"
    ),
    # The preset is the organizer's own: other staff do not find it.
    "staff:delete_preset": Case(
        lambda world: f"/staff/{world.event.slug}/presets/{world.objects['preset'].pk}/delete/",
        staff_page(staff=NOT_FOUND, organizer=NOT_FOUND) | {ORGANIZER: "302 /staff/{event}/registrations/"},
        "post",
    ),
    # Acting for a delegate: both roles see the registration, cancel (a reason is needed: 400 without),
    # undo a check-in and reissue a badge; only Organizers edit it.
    "staff:registration": Case(registration_url(""), staff_page()),
    "staff:registration_edit": Case(registration_url("edit/"), staff_page(staff=NOT_FOUND)),
    "staff:registration_cancel": Case(registration_url("cancel/"), staff_page("400", "400"), "post"),
    "staff:registration_undo_check_in": Case(
        registration_url("undo-check-in/"), staff_page(*[REGISTRATION_PAGE] * 2), "post"
    ),
    "staff:registration_reissue_badge": Case(
        registration_url("reissue-badge/"), staff_page(*[REGISTRATION_PAGE] * 2), "post"
    ),
    # allauth: accounts and two-factor authentication.
    "account_login": Case(lambda world: "/accounts/login/", signed_in(SIGNED_IN_HOME, anonymous=OK)),
    "account_logout": Case(lambda world: "/accounts/logout/", signed_in(OK, anonymous="302 /")),
    "account_inactive": Case(lambda world: "/accounts/inactive/", same(OK)),
    "account_signup": Case(lambda world: "/accounts/signup/", signed_in(SIGNED_IN_HOME, anonymous=OK)),
    "account_reauthenticate": Case(lambda world: "/accounts/reauthenticate/", signed_in(OK)),
    # Codes go only to a verified address (A has one).
    "account_request_reauthentication_code": Case(
        lambda world: "/accounts/reauthenticate/code/", signed_in(REAUTHENTICATE) | {DELEGATE_A: OK}
    ),
    "account_confirm_reauthentication_code": Case(
        lambda world: "/accounts/reauthenticate/code/confirm/",
        signed_in("302 /accounts/reauthenticate/code/"),
    ),
    "account_email": Case(lambda world: "/accounts/email/", signed_in(OK)),
    "account_email_verification_sent": Case(lambda world: "/accounts/confirm-email/", same(OK)),
    "account_change_password": Case(lambda world: "/accounts/password/change/", signed_in(OK)),
    "account_set_password": Case(
        lambda world: "/accounts/password/set/", signed_in("302 /accounts/password/change/")
    ),
    "account_reset_password": Case(lambda world: "/accounts/password/reset/", same(OK)),
    "account_confirm_login_code": Case(
        lambda world: "/accounts/login/code/confirm/", signed_in(SIGNED_IN_HOME)
    ),
    "account_confirm_email": Case(lambda world: "/accounts/confirm-email/not-a-key/", same(OK)),
    "account_reset_password_from_key_done": Case(
        lambda world: "/accounts/password/reset/key/done/", same(OK)
    ),
    "account_reset_password_from_key": Case(
        lambda world: "/accounts/password/reset/key/1-not-a-key/", same(OK)
    ),
    "account_reset_password_done": Case(lambda world: "/accounts/password/reset/done/", same(OK)),
    "mfa_index": Case(lambda world: "/accounts/2fa/", signed_in(OK)),
    "mfa_authenticate": Case(lambda world: "/accounts/2fa/authenticate/", signed_in(SIGNED_IN_HOME)),
    "mfa_reauthenticate": Case(
        lambda world: "/accounts/2fa/reauthenticate/",
        signed_in(REAUTHENTICATE) | dict.fromkeys(WITH_TOTP, OK),
    ),
    # Only a verified address may add an authenticator (A has one; then the password is asked again).
    "mfa_activate_totp": Case(
        lambda world: "/accounts/2fa/totp/activate/",
        signed_in("302 /accounts/2fa/") | {DELEGATE_A: REAUTHENTICATE},
    ),
    "mfa_deactivate_totp": Case(
        lambda world: "/accounts/2fa/totp/deactivate/",
        signed_in(NOT_FOUND) | dict.fromkeys(WITH_TOTP, REAUTHENTICATE),
    ),
    "mfa_view_recovery_codes": Case(lambda world: "/accounts/2fa/recovery-codes/", signed_in(NOT_FOUND)),
    "mfa_generate_recovery_codes": Case(
        lambda world: "/accounts/2fa/recovery-codes/generate/", signed_in(REAUTHENTICATE)
    ),
    "mfa_download_recovery_codes": Case(
        lambda world: "/accounts/2fa/recovery-codes/download/", signed_in(NOT_FOUND)
    ),
    # The admin's own pages.
    "admin:index": Case(lambda world: "/admin/", admin_page(allowed(ADMIN_ROLES))),
    "admin:login": Case(
        lambda world: "/admin/login/",
        admin_page(allowed(ADMIN_ROLES, "302 /admin/"), anonymous=LOGIN)
        | {DELEGATE_A: FORBIDDEN, DELEGATE_B: FORBIDDEN},
    ),
    "admin:logout": Case(
        lambda world: "/admin/logout/",
        admin_page(allowed(ADMIN_ROLES, NOT_ALLOWED)) | dict.fromkeys([ANONYMOUS, *DELEGATES], "302 /admin/"),
    ),
    "admin:password_change": Case(lambda world: "/admin/password_change/", admin_page(allowed(ADMIN_ROLES))),
    "admin:password_change_done": Case(
        lambda world: "/admin/password_change/done/", admin_page(allowed(ADMIN_ROLES))
    ),
    "admin:autocomplete": Case(lambda world: "/admin/autocomplete/", admin_page(allowed(set()))),
    "admin:jsi18n": Case(lambda world: "/admin/jsi18n/", admin_page(allowed(ADMIN_ROLES))),
    "admin:view_on_site": Case(
        lambda world: f"/admin/r/{world.objects['event_type'].pk}/{world.event.pk}/",
        admin_page(allowed(ADMIN_ROLES, "302 http://testserver/events/{event}/")),
    ),
    "admin:app_list": Case(lambda world: "/admin/events/", admin_page(allowed(ADMIN_ROLES))),
    "admin/(?P<url>.*)$": Case(
        lambda world: "/admin/no-such-page/", admin_page(allowed(ADMIN_ROLES, NOT_FOUND))
    ),
}

# The POST that actions answering only POST are made with (their GET is classified in CASES).
POSTED = {
    key: Case(CASES[key].url, staff_page(), "post")
    for key in (
        "staff:export_csv",
        "staff:export_xlsx",
        "staff:badges",
        "staff:protocol_xlsx",
        "staff:protocol_pdf",
    )
}

# What each role may do with each model in the admin (superusers as Django allows them); every admin
# URL of a model (list, add, change, history, delete, and the bare object URL) follows from it.
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
EVERY_STAFF = {STAFF, ORGANIZER, SUPERUSER}
ORGANIZERS_ONLY = {ORGANIZER, SUPERUSER}
PROGRAMME = {VIEW: EVERY_STAFF, ADD: ORGANIZERS_ONLY, CHANGE: ORGANIZERS_ONLY, DELETE: ORGANIZERS_ONLY}
SUPERUSERS_ONLY = {VIEW: {SUPERUSER}, ADD: {SUPERUSER}, CHANGE: {SUPERUSER}, DELETE: {SUPERUSER}}
ADMIN_MODELS = {
    "auth.group": SUPERUSERS_ONLY,
    "account.emailaddress": SUPERUSERS_ONLY,
    # Authenticators are set up by their owners: superusers see and delete them, never type one in.
    "mfa.authenticator": {VIEW: {SUPERUSER}, ADD: set(), CHANGE: {SUPERUSER}, DELETE: {SUPERUSER}},
    "django_tasks_database.dbtaskresult": {VIEW: {SUPERUSER}, ADD: set(), CHANGE: set(), DELETE: set()},
    "delegates.user": SUPERUSERS_ONLY,
    "events.organization": PROGRAMME,
    "events.speaker": PROGRAMME,
    "events.sector": PROGRAMME,
    "events.exhibit": PROGRAMME,
    "events.document": PROGRAMME,
    "events.event": PROGRAMME,
    "events.subforum": PROGRAMME,
    # Profiles are made by delegates; registrations change only through the services' actions.
    "delegates.profile": {VIEW: EVERY_STAFF, ADD: set(), CHANGE: ORGANIZERS_ONLY, DELETE: ORGANIZERS_ONLY},
    "delegates.registration": {VIEW: EVERY_STAFF, ADD: set(), CHANGE: ORGANIZERS_ONLY, DELETE: set()},
    "delegates.outboxmessage": {VIEW: ORGANIZERS_ONLY, ADD: set(), CHANGE: ORGANIZERS_ONLY, DELETE: set()},
    "delegates.auditentry": {VIEW: ORGANIZERS_ONLY, ADD: set(), CHANGE: set(), DELETE: set()},
    "delegates.delegation": {
        VIEW: ORGANIZERS_ONLY,
        ADD: ORGANIZERS_ONLY,
        CHANGE: ORGANIZERS_ONLY,
        DELETE: ORGANIZERS_ONLY,
    },
    "delegates.invitation": {
        VIEW: ORGANIZERS_ONLY,
        ADD: ORGANIZERS_ONLY,
        CHANGE: ORGANIZERS_ONLY,
        DELETE: ORGANIZERS_ONLY,
    },
    "delegates.lettertemplate": {
        VIEW: ORGANIZERS_ONLY,
        ADD: ORGANIZERS_ONLY,
        CHANGE: ORGANIZERS_ONLY,
        DELETE: ORGANIZERS_ONLY,
    },
    # Letters are issued from the registration list and never deleted (a reissue revokes).
    "delegates.visaletter": {VIEW: ORGANIZERS_ONLY, ADD: set(), CHANGE: ORGANIZERS_ONLY, DELETE: set()},
}


def admin_model_cases(label: str, rights: dict) -> dict:
    """The admin URLs of one model, named as the resolver names them, with each role's answer."""
    app_label, model_name = label.split(".")
    base = f"/admin/{app_label}/{model_name}/"
    readers = rights[VIEW] | rights[CHANGE]

    def object_url(suffix: str):
        return lambda world: f"{base}{world.objects[label].pk}/{suffix}"

    prefix = f"admin:{app_label}_{model_name}"
    return {
        f"{prefix}_changelist": Case(lambda world: base, admin_page(allowed(readers))),
        f"{prefix}_add": Case(lambda world: f"{base}add/", admin_page(allowed(rights[ADD]))),
        f"{prefix}_change": Case(object_url("change/"), admin_page(allowed(readers))),
        f"{prefix}_history": Case(object_url("history/"), admin_page(allowed(readers))),
        f"{prefix}_delete": Case(object_url("delete/"), admin_page(allowed(rights[DELETE]))),
        # The bare object URL redirects every staff member to the change page.
        f"{base[1:]}<path:object_id>/": Case(
            object_url(""), admin_page(allowed(ADMIN_ROLES, f"302 {base}{{pk:{label}}}/change/"))
        ),
    }


for _label, _rights in ADMIN_MODELS.items():
    CASES.update(admin_model_cases(_label, _rights))
CASES["admin:delegates_invitation_bulk"] = Case(
    lambda world: "/admin/delegates/invitation/bulk/", admin_page(allowed(ORGANIZERS_ONLY))
)
# A letter's PDF and a template's preview carry passport data (or look as if): others get 404.
CASES["admin:delegates_visaletter_pdf"] = Case(
    lambda world: f"/admin/delegates/visaletter/{world.objects['delegates.visaletter'].pk}/pdf/",
    admin_page({**allowed(ORGANIZERS_ONLY), STAFF: NOT_FOUND}),
)
CASES["admin:delegates_lettertemplate_preview"] = Case(
    lambda world: (
        f"/admin/delegates/lettertemplate/{world.objects['delegates.lettertemplate'].pk}/preview/ru/"
    ),
    admin_page({**allowed(ORGANIZERS_ONLY), STAFF: NOT_FOUND}),
)
CASES["admin:auth_user_password_change"] = Case(
    lambda world: f"/admin/delegates/user/{world.objects['delegates.user'].pk}/password/",
    admin_page(allowed({SUPERUSER})),
)


def url_patterns(patterns=None, prefix: str = "", namespace: str = ""):
    """Every pattern of the project as (key, route): the key is its namespaced name, else its route."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            yield (f"{namespace}{pattern.name}" if pattern.name else route), route


def unclassified(patterns) -> list[str]:
    """The patterns no case classifies, named for the failure message."""
    return [f"{key} ({route})" for key, route in patterns if key not in CASES]


def test_every_url_pattern_is_classified():
    assert unclassified(url_patterns()) == [], "Classify these URL patterns in tests/test_access_matrix.py"


def test_no_case_is_left_over_from_a_removed_pattern():
    assert set(CASES) - {key for key, _route in url_patterns()} == set()


def test_every_pattern_is_classified_once():
    keys = [key for key, _route in url_patterns()]
    assert sorted({key for key in keys if keys.count(key) > 1}) == []


@pytest.fixture
def world():
    """The world every role is asked in (see `build_world`)."""
    return build_world()


def build_world() -> World:
    """A's approved in-person registration on an open edition, staff of each role, and one object of
    every model the admin shows."""
    event = open_event()
    sub_forum = SubForumFactory(event=event)
    delegate_a = ProfileFactory().user
    registration = RegistrationFactory(event=event, user=delegate_a, mode="in_person", status="approved")
    organizer = staff_member(ORGANIZERS)
    users = {
        ANONYMOUS: None,
        DELEGATE_A: delegate_a,
        DELEGATE_B: ProfileFactory().user,
        STAFF: staff_member(REGISTRATION_STAFF),
        ORGANIZER_WITHOUT_TOTP: staff_member(ORGANIZERS, with_totp=False),
        ORGANIZER: organizer,
        SUPERUSER: superuser(),
    }
    exhibit = ExhibitFactory(event=event, sectors=[SectorFactory()])
    world = World(event, sub_forum, exhibit, DocumentFactory(event=event), users)
    world.objects = {
        "preset": ExportPreset.objects.create(
            owner=organizer, event=event, name="Mine", query="status=approved"
        ),
        "event_type": ContentType.objects.get_for_model(event),
        "auth.group": Group.objects.get(name=ORGANIZERS),
        "account.emailaddress": EmailAddress.objects.create(
            user=delegate_a, email=delegate_a.email, verified=True, primary=True
        ),
        "mfa.authenticator": Authenticator.objects.get(user=organizer),
        "django_tasks_database.dbtaskresult": DBTaskResult.objects.create(
            id=uuid.uuid4(),
            args_kwargs={"args": [], "kwargs": {}},
            task_path="delegates.tasks.deliver",
            backend_name="default",
            run_after=datetime.datetime.now(datetime.UTC),
        ),
        "delegates.user": delegate_a,
        "events.organization": exhibit.exhibitor,
        "events.speaker": SpeakerFactory(),
        "events.sector": exhibit.sectors.get(),
        "events.exhibit": exhibit,
        "events.document": world.document,
        "events.event": event,
        "events.subforum": sub_forum,
        "delegates.profile": delegate_a.profile,
        "delegates.registration": registration,
        "delegates.outboxmessage": OutboxMessage.objects.create(
            to=delegate_a.email, subject="Hello", body_text="Hello", message_id="<matrix@example.org>"
        ),
        "delegates.auditentry": AuditEntry.objects.create(action="export", event=event, actor=organizer),
        "delegates.delegation": DelegationFactory(event=event),
        "delegates.invitation": InvitationFactory(event=event),
        "delegates.lettertemplate": LetterTemplateFactory(event=event),
    }
    # A's visa letter: issued by the services, as for every letter.
    registration.wants_visa_letter, registration.passport_number = True, "N12345678"
    registration.save()
    world.objects["delegates.visaletter"] = issue_letter(registration=registration, actor=organizer)
    # A delegation whose focal point is A, with one member, for the focal point's pages.
    delegation = Delegation.objects.create(event=event, name="Kazakhstan", country="KZ")
    delegation.focal_points.add(delegate_a)
    world.objects["focal.delegation"] = delegation
    world.objects["focal.member"] = RegistrationFactory(event=event, delegation=delegation, status="approved")
    return world


def answer(response) -> str:
    """The response as the tables write it: the status, and for a redirect where it leads."""
    if response.status_code != 302:
        return str(response.status_code)
    location = response["Location"].split("?")[0]
    names = {
        reverse("account_login"): "login",
        reverse("admin:login"): "admin-login",
        reverse("mfa_activate_totp"): "mfa",
        reverse("account_reauthenticate"): "reauthenticate",
    }
    return f"302 {names.get(location, location)}"


def expected(world: World, text: str) -> str:
    """An expected answer with the world's keys filled in ("{event}", "{pk:<model>}")."""
    for label, obj in world.objects.items():
        text = text.replace(f"{{pk:{label}}}", str(getattr(obj, "pk", "")))
    return text.replace("{event}", world.event.slug)


def answers(client, world: World, role: str, keys, cases: dict = CASES) -> dict:
    """What `role` gets at each of these patterns, next to what it should get (only the differences)."""
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    wrong = {}
    for key in keys:
        case = cases[key]
        response = getattr(client, case.method)(case.url(world))
        got, want = answer(response), expected(world, case.expect[role])
        if got != want:
            wrong[key] = (got, want)
    return wrong


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_at_every_url(client, world, role):
    keys = [key for key, _route in url_patterns() if key in CASES]  # the others fail the test above
    assert answers(client, world, role, keys) == {}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_to_the_post_of_each_post_only_action(client, world, role):
    assert answers(client, world, role, POSTED, cases=POSTED) == {}


def guarded(route: str) -> bool:
    """Under /staff/ or /admin/, where reading personal data needs two-factor authentication."""
    return route.startswith(("staff/", "admin/"))


@pytest.mark.parametrize(("group_name", "role"), [(REGISTRATION_STAFF, STAFF), (ORGANIZERS, ORGANIZER)])
def test_staff_without_totp_get_no_staff_or_admin_page_until_they_set_it_up(
    client, world, settings, group_name, role
):
    settings.FORUM_STAFF_MFA_REQUIRED = True
    keys = [key for key, route in url_patterns() if guarded(route) and key in CASES]
    world.users[role] = user = staff_member(group_name, with_totp=False)
    if role == ORGANIZER:
        world.objects["preset"].owner = user
        world.objects["preset"].save()
    client.force_login(user)

    before = {key: answer(getattr(client, CASES[key].method)(CASES[key].url(world))) for key in keys}
    add_totp(user)
    after = answers(client, world, role, keys)

    assert len(keys) > 100  # all of /staff/ and /admin/, not a few
    assert before == dict.fromkeys(keys, MFA)
    assert after == {}
