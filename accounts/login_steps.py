"""What a login still owes before the user may go on, decided once at login and kept in
the session: the second factor (``two_factor``), then a new password when someone else
set the current one (``password_change``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

SESSION_KEY = "login_steps"


def needs_two_factor(user) -> bool:
    """Administrators and superusers with a local password, unless a demo account in demo
    mode; anyone who set up a device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts import roles
    from accounts.demo import is_demo_user

    if not user.has_usable_password():
        return False  # an account of the identity provider: its own second factor
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return True
    if not settings.TWO_FACTOR_FOR_ADMINISTRATORS:
        return False
    if settings.DEMO_MODE and is_demo_user(user):
        return False
    return user.is_superuser or user.groups.filter(name=roles.ADMINISTRATOR).exists()


def first(request) -> str | None:
    steps = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    return steps[0] if steps else None


def done(request, step: str) -> None:
    steps = [s for s in request.session.get(SESSION_KEY, []) if s != step]
    request.session[SESSION_KEY] = steps


@receiver(user_logged_in, dispatch_uid="login_steps.decide")
def decide(sender, request, user, **kwargs):
    from accounts.models import PasswordChangeRequired

    if request is None or not hasattr(request, "session"):
        return
    steps = []
    if needs_two_factor(user):
        steps.append("two_factor")
    if PasswordChangeRequired.objects.filter(user=user).exists():
        steps.append("password_change")
    request.session[SESSION_KEY] = steps
