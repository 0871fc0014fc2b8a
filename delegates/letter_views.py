"""Visa letters on the site: the public verification page of a letter's QR code, and the holder's download."""

from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from . import letters
from .models import Registration, VisaLetter
from .permissions import focal_delegations

TOKEN_LENGTH = 32  # secrets.token_urlsafe(24): 192 random bits


def verify_letter(request, token):
    """Whether a letter is genuine and valid: reference, holder's Latin name, edition, date; no passport data."""
    if len(token) != TOKEN_LENGTH:
        raise Http404
    letter = get_object_or_404(
        VisaLetter.objects.select_related("registration__event", "registration__user__profile").exclude(
            status=VisaLetter.Status.REQUESTED
        ),
        token=token,
    )
    letters.record_letter_read(letter=letter, actor=request.user, how="verified")
    response = TemplateResponse(
        request,
        "letters/verify.html",
        {
            "letter": letter,
            # A letter stops being valid when its registration is cancelled or rejected, too.
            "valid": letter.is_valid and letters.may_have_letter(letter.registration),
            "holder": letter.registration.user.profile.name_latin,
            "event": letter.registration.event,
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def my_letter(request, reference):
    """A valid visa letter as a PDF, for its holder and the focal points of the holder's delegation;
    anyone else's is not found."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    mine = Q(registration__user=request.user) | Q(
        registration__delegation__in=focal_delegations(request.user)
    )
    letter = get_object_or_404(
        VisaLetter.objects.select_related("registration__event").filter(
            mine, status__in=VisaLetter.VALID, registration__status=Registration.Status.APPROVED
        ),
        reference=reference,
    )
    letters.record_letter_read(letter=letter, actor=request.user, how="downloaded")
    return HttpResponse(
        letters.letter_pdf(letter),
        content_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{letter.reference}.pdf"'},
    )
