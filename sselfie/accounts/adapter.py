from typing import Any
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailConfirmation
from django.http import HttpRequest

from sselfie import mail
from sselfie.accounts.models import Profile, User


def _on_public_site(url: str, request: HttpRequest | None) -> str:
    """allauth builds links from the request's host; emails use PUBLIC_URL when it is set
    (a proxy may hand us an internal host name)."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return mail.absolute(path, request)


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        return User.normalize_email_address(super().clean_email(email))

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            Profile.for_user(user)
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Our account email templates extend emails/base.html, which links to site_url.
        super().send_mail(template_prefix, email,
                          {"site_url": mail.site_url(self.request), **context})

    def get_email_confirmation_url(self, request: HttpRequest,
                                   emailconfirmation: EmailConfirmation) -> str:
        return _on_public_site(super().get_email_confirmation_url(request, emailconfirmation),
                               request)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return _on_public_site(super().get_reset_password_from_key_url(key), self.request)
