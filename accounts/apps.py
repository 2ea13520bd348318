from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from accounts import account_changes, login_steps  # noqa: F401 (connect their signals)
        from accounts.roles import sync_roles

        # Groups and their permissions can only be set once every app's
        # permissions exist, which is after migrate; sync_roles is idempotent.
        post_migrate.connect(sync_roles, dispatch_uid="accounts.sync_roles")
        post_migrate.connect(_disable_demo_accounts, dispatch_uid="accounts.disable_demo")
        _hide_second_factors()


def _hide_second_factors() -> None:
    """Nobody reads another person's second factor (its key) in the admin; a superuser
    resets it (an action on the users) for someone who lost it. (The admin has read every
    app's admin module by now: it comes before this app.)"""
    from django.apps import apps
    from django.contrib import admin

    for label in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
        model = apps.get_model(label)
        if admin.site.is_registered(model):
            admin.site.unregister(model)


def _disable_demo_accounts(sender, **kwargs) -> None:
    """Outside demo mode (DEBUG off), demo accounts are switched off at every migrate."""
    from django.conf import settings

    from accounts.demo import disable_demo_accounts

    if sender.name == "accounts" and not settings.DEMO_MODE:
        disable_demo_accounts()
