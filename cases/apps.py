from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from accounts.models import ReadKind
        from cases import signals
        from documents import kinds

        signals.connect()

        kinds.register(
            kinds.Kind("case_summary", "Case summary", {"pdf": kinds.PDF}, None,
                       read_permission="cases.view_case", read_kind=ReadKind.CASE_SUMMARY,
                       inline=True),
            kinds.Kind("case_list", "Case list (spreadsheet)",
                       {"csv": kinds.CSV, "xlsx": kinds.XLSX}, None,
                       read_permission="cases.view_case", read_kind=ReadKind.SPREADSHEET),
        )  # fmt: skip
