"""The organizers' admin for visa letters: each edition's letter template (with a preview on sample data),
the letters issued, and the registration list's action that issues them."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from events.admin import SafeInputAdminMixin
from events.forms import ReencodedImageMixin

from . import letters
from .models import LetterTemplate, VisaLetter
from .permissions import can_see_passports
from .rules import RegistrationError

LANGUAGE_NAMES = dict(settings.LANGUAGES)


class LetterTemplateAdminForm(ReencodedImageMixin, forms.ModelForm):
    """Pictures re-encoded like every upload; each text may use only the known `{placeholders}`."""

    image_fields = ("letterhead", "signature")

    class Meta:
        model = LetterTemplate
        fields = "__all__"
        help_texts = dict.fromkeys(
            ["body_en", "body_zh_hans", "body_ru"],
            _("Placeholders: %(names)s. A blank line starts a new paragraph.")
            % {"names": ", ".join(f"{{{name}}}" for name in letters.PLACEHOLDERS)},
        )

    def clean_body_en(self):
        return self._checked("body_en")

    def clean_body_zh_hans(self):
        return self._checked("body_zh_hans")

    def clean_body_ru(self):
        return self._checked("body_ru")

    def _checked(self, name: str) -> str:
        """The text, once its placeholders are known ones."""
        letters.validate_letter_text(self.cleaned_data[name])
        return self.cleaned_data[name]


def may_handle_letters(request) -> bool:
    """Organizers (who read passport data) see templates, previews and letters; others get 404."""
    return can_see_passports(request.user) and request.user.has_perm("delegates.view_visaletter")


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SafeInputAdminMixin, admin.ModelAdmin):
    form = LetterTemplateAdminForm
    list_display = ["event", "issuing_body", "signatory_name", "preview_links"]
    list_select_related = ["event"]
    autocomplete_fields = ["event"]

    def get_urls(self):
        preview = path(
            "<path:object_id>/preview/<str:language>/",
            self.admin_site.admin_view(self.preview_view),
            name="delegates_lettertemplate_preview",
        )
        return [preview, *super().get_urls()]

    @admin.display(description=_("preview"))
    def preview_links(self, obj):
        """A link to the preview PDF in each language."""
        return format_html(
            " · ".join(['<a href="{}">{}</a>'] * len(LANGUAGE_NAMES)),
            *[
                part
                for code, name in LANGUAGE_NAMES.items()
                for part in (reverse("admin:delegates_lettertemplate_preview", args=[obj.pk, code]), name)
            ],
        )

    def preview_view(self, request, object_id, language):
        """The letter drawn with sample data in one language, as a PDF."""
        template = LetterTemplate.objects.select_related("event").filter(pk=_key(object_id)).first()
        if not may_handle_letters(request) or template is None or language not in LANGUAGE_NAMES:
            raise Http404
        return HttpResponse(
            letters.preview_pdf(template, language),
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="letter-preview-{language}.pdf"'},
        )


def _key(object_id: str) -> int | None:
    """The primary key in a URL, or None when it cannot be one."""
    return int(object_id) if object_id.isascii() and object_id.isdigit() and len(object_id) < 12 else None


@admin.register(VisaLetter)
class VisaLetterAdmin(SafeInputAdminMixin, admin.ModelAdmin):
    """Letters are issued from the registration list; here they are read, downloaded, reissued or revoked."""

    list_display = ["reference", "holder", "edition", "status", "language", "issued_at", "pdf_link"]
    list_filter = ["status", "registration__event", "language"]
    list_select_related = ["registration__event", "registration__user__profile"]
    search_fields = [
        "reference",
        "registration__user__email",
        "registration__user__profile__family_name_latin",
    ]
    fields = readonly_fields = [
        "reference",
        "registration",
        "status",
        "language",
        "issued_at",
        "issued_by",
        "sent_at",
        "revoked_at",
        "pdf_link",
    ]
    actions = [
        "reissue_selected",
        "reissue_in_english",
        "reissue_in_chinese",
        "reissue_in_russian",
        "send_selected",
        "revoke_selected",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        pdf = path(
            "<path:object_id>/pdf/",
            self.admin_site.admin_view(self.pdf_view),
            name="delegates_visaletter_pdf",
        )
        return [pdf, *super().get_urls()]

    @admin.display(description=_("holder"))
    def holder(self, obj):
        return obj.registration.user.profile.name_latin

    @admin.display(description=_("edition"))
    def edition(self, obj):
        return obj.registration.event

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj):
        """A link to the letter's PDF, while it is valid."""
        if not obj.pk or not obj.is_valid:
            return "–"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:delegates_visaletter_pdf", args=[obj.pk]), _("Download")
        )

    def pdf_view(self, request, object_id):
        """The letter as a PDF, for organizers (audited); everyone else, and a revoked letter, 404."""
        letter = VisaLetter.objects.select_related("registration__event").filter(pk=_key(object_id)).first()
        if not may_handle_letters(request) or letter is None or not letter.is_valid:
            raise Http404
        letters.record_letter_read(letter=letter, actor=request.user, how="downloaded")
        return HttpResponse(
            letters.letter_pdf(letter),
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{letter.reference}.pdf"'},
        )

    @admin.action(
        description=_("Reissue the selected letters (the old ones are revoked)"), permissions=["change"]
    )
    def reissue_selected(self, request, queryset):
        issue_for(self, request, _valid_registrations(queryset))

    @admin.action(description=_("Reissue the selected letters in English"), permissions=["change"])
    def reissue_in_english(self, request, queryset):
        issue_for(self, request, _valid_registrations(queryset), language="en")

    @admin.action(description=_("Reissue the selected letters in Chinese"), permissions=["change"])
    def reissue_in_chinese(self, request, queryset):
        issue_for(self, request, _valid_registrations(queryset), language="zh-hans")

    @admin.action(description=_("Reissue the selected letters in Russian"), permissions=["change"])
    def reissue_in_russian(self, request, queryset):
        issue_for(self, request, _valid_registrations(queryset), language="ru")

    @admin.action(description=_("Email the selected letters to their holders"), permissions=["change"])
    def send_selected(self, request, queryset):
        sent = 0
        for letter in queryset.select_related("registration__user"):
            try:
                letters.send_letter(letter=letter, actor=request.user)
                sent += 1
            except RegistrationError as error:
                self.message_user(request, f"{letter.reference}: {error.message}", messages.WARNING)
        if sent:
            self.message_user(
                request,
                ngettext("%(count)d letter emailed.", "%(count)d letters emailed.", sent) % {"count": sent},
                messages.SUCCESS,
            )

    @admin.action(description=_("Revoke the selected letters"), permissions=["change"])
    def revoke_selected(self, request, queryset):
        revoked = [letters.revoke_letter(letter=letter, actor=request.user) for letter in queryset]
        self.message_user(
            request,
            ngettext("%(count)d letter revoked.", "%(count)d letters revoked.", len(revoked))
            % {"count": len(revoked)},
            messages.SUCCESS,
        )


def _valid_registrations(queryset) -> list:
    """The registrations of the selected letters that are still valid (a revoked one stays revoked)."""
    return [letter.registration for letter in queryset.filter(status__in=VisaLetter.VALID)]


def issue_for(modeladmin, request, registrations, language: str = "") -> None:
    """Issue a letter for each registration, and say how many were issued and why others were not."""
    issued = 0
    for registration in registrations:
        try:
            letters.issue_letter(registration=registration, actor=request.user, language=language)
            issued += 1
        except RegistrationError as error:
            modeladmin.message_user(request, f"{registration.user.email}: {error.message}", messages.WARNING)
    if issued:
        modeladmin.message_user(
            request,
            ngettext("%(count)d visa letter issued.", "%(count)d visa letters issued.", issued)
            % {"count": issued},
            messages.SUCCESS,
        )


@admin.action(
    description=_("Issue visa letters (reissuing revokes the previous ones)"), permissions=["change"]
)
def issue_visa_letters(modeladmin, request, queryset):
    """The registration list's action: a letter for each selected registration that may have one."""
    if not may_handle_letters(request):
        raise Http404
    issue_for(modeladmin, request, queryset.select_related("user"))
