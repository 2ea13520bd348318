from django.apps import AppConfig
from django.conf import settings
from django.core.signals import setting_changed


def _synchronous_cutoff(setting: str = "SYNCHRONOUS_CUTOFF_MONTHS", **kwargs) -> None:
    from guidelines import registry

    if setting == "SYNCHRONOUS_CUTOFF_MONTHS":
        registry.set_synchronous_cutoff(settings.SYNCHRONOUS_CUTOFF_MONTHS)


class GuidelinesConfig(AppConfig):
    name = "guidelines"
    verbose_name = "Guideline library"

    def ready(self) -> None:
        from guidelines import (
            checks,  # noqa: F401  (registers the system checks)
            signals,
        )

        signals.connect()

        _synchronous_cutoff()
        setting_changed.connect(_synchronous_cutoff)
