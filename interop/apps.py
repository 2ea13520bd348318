from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "FHIR import and export"

    def ready(self) -> None:
        from accounts.models import ReadKind
        from common.slots import slot
        from documents import kinds

        slot("cases.case_actions").register("interop/_case_actions.html")
        slot("cases.new_case_actions").register("interop/_new_case_actions.html")

        kinds.register(
            kinds.Kind("fhir_bundle", "FHIR bundle", {"json": kinds.FHIR_JSON}, None,
                       read_permission="cases.view_case", read_kind=ReadKind.FHIR),
        )  # fmt: skip
