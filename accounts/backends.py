from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from accounts.demo import is_demo_user


class DemoAwareBackend(ModelBackend):
    """Django's model backend, refusing demo accounts unless DEMO_MODE is on."""

    def user_can_authenticate(self, user) -> bool:
        if is_demo_user(user) and not settings.DEMO_MODE:
            return False
        return super().user_can_authenticate(user)
