from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "FHIR import and export"

    def ready(self) -> None:
        from accounts.models import ReadKind
        from documents import kinds

        kinds.register(
            kinds.Kind("fhir_bundle", "FHIR bundle", {"json": kinds.FHIR_JSON}, None,
                       read_permission="cases.view_case", read_kind=ReadKind.FHIR),
        )  # fmt: skip
