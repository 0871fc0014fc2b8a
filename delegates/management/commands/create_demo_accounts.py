import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from delegates.demo import prepare_invitation_demo
from delegates.invitations import invitation_link
from delegates.models import User
from delegates.roles import ORGANIZERS, REGISTRATION_STAFF

ACCOUNTS = [("organizer@example.org", ORGANIZERS), ("staff@example.org", REGISTRATION_STAFF)]


class Command(BaseCommand):
    help = (
        "Create (or reset) the local demo organizer, staff and focal point accounts and print their "
        "passwords; make the sample edition by invitation and print a few invitation links."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        self.stdout.write("Demo accounts (new passwords on every run; local use only):")
        for email, group_name in ACCOUNTS:
            user, _ = User.objects.get_or_create(email=email, defaults={"is_staff": True})
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_staff = True
            user.save()
            user.groups.add(Group.objects.get(name=group_name))
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            self.stdout.write(f"  {group_name:<20} {email:<24} password: {password}")
        self._invitations()
        if settings.FORUM_STAFF_MFA_REQUIRED:
            self.stdout.write(
                "Staff must set up two-factor authentication (TOTP) before /staff/ and /admin/."
            )
        else:
            self.stdout.write(
                "Two-factor authentication is NOT required of staff in this local demo "
                "(FORUM_STAFF_MFA_REQUIRED=false); production requires it."
            )

    def _invitations(self) -> None:
        """The sample edition's focal point (a new password) and its ready invitation links."""
        focal_point, ready = prepare_invitation_demo()
        if focal_point is None:
            return
        password = secrets.token_urlsafe(12)
        focal_point.set_password(password)
        focal_point.save()
        delegations = ", ".join(str(d) for d in focal_point.focal_point_of.all())
        self.stdout.write(
            f"  {'Focal point':<20} {focal_point.email:<24} password: {password} ({delegations})"
        )
        self.stdout.write("The sample edition is by invitation. Sample invitation links:")
        for invitation in ready:
            bound = invitation.delegation.name if invitation.delegation else "no delegation"
            uses = f"{invitation.max_uses - invitation.uses} of {invitation.max_uses} uses left"
            self.stdout.write(f"  {invitation_link(invitation)}  ({bound}; {uses})")
