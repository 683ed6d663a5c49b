from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sselfie.accounts"
    label = "accounts"
