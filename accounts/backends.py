from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.demo import is_demo_user


class DemoAwareBackend(ModelBackend):
    """Django's model backend, refusing demo accounts unless DEMO_MODE is on."""

    def get_user(self, user_id):
        # The demo mark comes with the user, so a request costs no extra query.
        users = get_user_model()._default_manager.select_related("demo_account")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        if is_demo_user(user) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)
