from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Helpers every app may use (forms, htmx, periods, text, page slots); it imports no
    app, so that dependencies run one way."""

    name = "common"
    verbose_name = "Common helpers"
