from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from sselfie.accounts.models import Profile, User


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        return User.normalize_email_address(super().clean_email(email))

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            Profile.for_user(user)
        return user
