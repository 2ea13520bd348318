from django.apps import AppConfig


class GuidelinesConfig(AppConfig):
    name = "guidelines"
    verbose_name = "Guideline library"

    def ready(self) -> None:
        from guidelines import checks  # noqa: F401  (registers the system checks)
