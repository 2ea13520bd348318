from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from accounts.roles import sync_roles

        # Groups and their permissions can only be set once every app's
        # permissions exist, which is after migrate; sync_roles is idempotent.
        post_migrate.connect(sync_roles, dispatch_uid="accounts.sync_roles")
