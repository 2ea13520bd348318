"""The login forms: Django's, with the username's length actually enforced."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LengthCheckedLogin:
    """Refuse an over-long username next to the field instead of trying it.

    Django sets the field's ``max_length`` after the field is built, so it is never
    validated; the failed attempt then reaches django-axes, whose log column is
    shorter than some inputs, and the login page fails.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(LengthCheckedLogin, AuthenticationForm):
    pass


class AdminLoginForm(LengthCheckedLogin, AdminAuthenticationForm):
    pass
