from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from common.slots import slot

        slot("accounts.api_tokens_help").register("api/_api_tokens_help.html")
