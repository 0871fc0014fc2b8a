"""Strings of Django and allauth that our catalogues translate again.

Django 6.1's new blank choice ("- Select an option -") has no Chinese or Russian translation yet,
Django's Chinese email message and allauth's Chinese and Russian keep "Email"/"e-mail" in Latin
letters. django-countries spells Tajikistan "塔吉克斯斯坦" and Kyrgyzstan "吉尔吉斯" in Chinese and
names Kyrgyzstan "Киргизия" in Russian, where the forum's protocol uses "塔吉克斯坦", "吉尔吉斯斯坦" and
"Кыргызстан". Listing the messages here puts them in our catalogues, which take precedence
(LOCALE_PATHS). Nothing imports this module.
"""

from django.utils.translation import gettext_noop

MESSAGES = [
    gettext_noop("Enter a valid email address."),
    gettext_noop("- Select an option -"),
    gettext_noop("Email"),
    gettext_noop("Email (again)"),
    gettext_noop("Email (optional)"),
    gettext_noop("Username or email"),
    gettext_noop("You must type the same email each time."),
    gettext_noop("Email Addresses"),
    gettext_noop("The following email addresses are associated with your account:"),
    gettext_noop("Primary"),
    gettext_noop("Re-send Verification"),
    gettext_noop("Add Email Address"),
    gettext_noop("Add Email"),
    gettext_noop("Do you really want to remove the selected email address?"),
    gettext_noop("Email Address"),
    gettext_noop("Current email"),
    gettext_noop("Change Email"),
    gettext_noop("Confirm Email Address"),
    gettext_noop("Verify Your Email Address"),
    gettext_noop("Please Confirm Your Email Address"),
    gettext_noop("Your email has been confirmed."),
    gettext_noop("Email Confirmation"),
    gettext_noop("Email Changed"),
    gettext_noop("Email Removed"),
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop("Primary email address set."),
    gettext_noop("You cannot remove your primary email address (%(email)s)."),
    gettext_noop("Email address %(deleted_email)s has been removed from your account."),
    gettext_noop("Your account has no verified email address."),
    gettext_noop("You cannot activate two-factor authentication until you have verified your email address."),
    gettext_noop("Hello from %(site_name)s!"),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("Bad Token"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("MFA"),
    gettext_noop("This functionality requires JavaScript."),
    gettext_noop("IP Address"),
    gettext_noop("Kyrgyzstan"),
    gettext_noop("Tajikistan"),
]
