from django.apps import AppConfig


class ConfigConfig(AppConfig):
    name = "config"
    verbose_name = "Configuration"

    def ready(self) -> None:
        from config import metrics

        metrics.connect_signals()  # failed logins and lockouts are counted
