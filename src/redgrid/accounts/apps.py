from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "redgrid.accounts"
    label = "accounts"
    verbose_name = "账号与授权"
