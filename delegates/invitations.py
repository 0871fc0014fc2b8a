"""The organizers' side of delegations and invitations: creating, revoking and sending invitations,
their links, and copying an edition's delegations when it is cloned."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event

from . import rules
from .locks import counted, lock_rows
from .models import AuditEntry, Delegation, Invitation, User
from .outbox import queue_email

MAX_BULK = 500


class InvitationError(Exception):
    """An invitation that cannot be made or sent; the message is for the organizer."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def invitation_link(invitation: Invitation) -> str:
    """The absolute link that opens the edition's register page with this code."""
    path = reverse("delegates:register", args=[invitation.event.slug])
    return f"{settings.FORUM_SITE_URL}{path}?invitation={invitation.code}"


def invitation_state(invitation: Invitation, now: datetime.datetime | None = None) -> str:
    """One of "revoked", "expired", "used up" or "valid" (the codes the state filter offers)."""
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at is not None and invitation.expires_at <= now:
        return "expired"
    if invitation.uses >= invitation.max_uses:
        return "used_up"
    return "valid"


@transaction.atomic
def create_invitations(
    *,
    event: Event,
    actor: User | None,
    count: int = 1,
    email: str = "",
    delegation: Delegation | None = None,
    makes_focal_point: bool = False,
    category: str = "",
    max_uses: int = 1,
    expires_at: datetime.datetime | None = None,
    language: str = "en",
    note: str = "",
) -> list[Invitation]:
    """Make `count` invitations alike (one code each) and record it."""
    if not 1 <= count <= MAX_BULK:
        raise InvitationError(_("Make between 1 and %(max)d invitations at once.") % {"max": MAX_BULK})
    if email and count != 1:
        raise InvitationError(_("An invitation for one email address is made one at a time."))
    if delegation is not None and delegation.event_id != event.pk:
        raise InvitationError(_("Choose a delegation of this edition."))
    if makes_focal_point and delegation is None:
        raise InvitationError(_("Choose the delegation whose focal point this invitation makes."))
    if max_uses < 1:
        raise InvitationError(_("An invitation can be used at least once."))
    made = [
        Invitation(
            event=event,
            email=email,
            delegation=delegation,
            makes_focal_point=makes_focal_point,
            category=category,
            max_uses=max_uses,
            expires_at=expires_at,
            language=language,
            note=note,
            created_by=actor,
        )
        for _index in range(count)
    ]
    for invitation in made:
        invitation.full_clean()
    # bulk_create leaves pks unset on some databases; save one by one (a few hundred at most).
    for invitation in made:
        invitation.save()
    record_created(event=event, actor=actor, count=count, delegation=delegation, email=email)
    return made


def record_created(
    *, event: Event, actor: User | None, count: int, delegation: Delegation | None, email: str
) -> None:
    """Audit the making of invitations (in bulk here, or one in the admin's add form)."""
    AuditEntry.objects.create(
        action="invitations_created",
        event=event,
        actor=actor,
        data={"count": count, "delegation": delegation.pk if delegation else None, "email": email},
    )


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, actor: User | None) -> bool:
    """Revoke an invitation (once); True if this call revoked it."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    invitation.revoked_at = locked.revoked_at
    AuditEntry.objects.create(
        action="invitation_revoked", event_id=locked.event_id, actor=actor, data={"invitation": locked.pk}
    )
    return True


@transaction.atomic
def send_invitation(*, invitation: Invitation, actor: User | None, email: str = "") -> None:
    """Queue the invitation email in the invitation's language to its bound address (or `email`)."""
    to = invitation.email or email
    if not to:
        raise InvitationError(_("This invitation is not bound to an email address: give one."))
    if invitation.email and email and email.lower() != invitation.email.lower():
        raise InvitationError(_("This invitation is for %(email)s only.") % {"email": invitation.email})
    if invitation_state(invitation) != "valid":
        raise InvitationError(_("Only a valid invitation can be sent."))
    queue_email(
        to=to,
        template="invitation",
        context={
            "event": invitation.event,
            "delegation": invitation.delegation,
            "focal_point": invitation.makes_focal_point,
            "link": invitation_link(invitation),
            "expires_at": invitation.expires_at,
        },
        language=invitation.language,
        kind="invitation",
        has_secret_link=True,
    )
    AuditEntry.objects.create(
        action="invitation_sent",
        event_id=invitation.event_id,
        actor=actor,
        data={"invitation": invitation.pk, "to": to},
    )


@transaction.atomic
def accept_focal_point_invitation(
    *, invitation: Invitation, user: User, now: datetime.datetime | None = None
) -> Delegation:
    """Make the account a focal point of the invitation's delegation, using the code once.

    The invitation is locked and checked as stored now, so a code of n uses makes at most n focal
    points however many accept at once; accepting again changes nothing and uses nothing."""
    held = lock_rows(invitation.event, invitation=invitation)
    invitation, delegation = held.invitation, held.delegation
    if not invitation.makes_focal_point or delegation is None:
        raise ValueError("This invitation does not make a focal point.")
    if delegation.focal_points.filter(pk=user.pk).exists():
        return delegation
    violations = rules.check_invitation(event=held.event, invitation=invitation, email=user.email, now=now)
    if violations:
        first = violations[0]
        raise rules.RegistrationError(first.code, first.message, first.field, violations)
    counted()
    delegation.focal_points.add(user)
    # Added in the database, as registrations count their uses (see services._use_invitation).
    Invitation.objects.filter(pk=invitation.pk).update(uses=F("uses") + 1)
    AuditEntry.objects.create(
        action="focal_point_added",
        event_id=delegation.event_id,
        actor=user,
        data={"delegation": delegation.pk, "invitation": invitation.pk, "user": user.pk},
    )
    return delegation


def copy_delegations(sender, *, source: Event, clone: Event, **kwargs) -> None:
    """Copy an edition's delegations into its clone: quotas, order and focal points, no members or head."""
    for delegation in source.delegations.prefetch_related("focal_points").order_by("pk"):
        focal_points = list(delegation.focal_points.all())
        delegation.pk = None
        delegation.event = clone
        delegation.head = None
        delegation.save()
        delegation.focal_points.set(focal_points)
