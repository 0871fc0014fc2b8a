"""Delegations' names per language (django-modeltranslation), English as the fallback, like programme content."""

from modeltranslation.translator import TranslationOptions, register

from .models import Delegation


@register(Delegation)
class DelegationTranslation(TranslationOptions):
    fields = ("name",)
