from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from accounts.models import ReadKind
        from cases import attachments, signals
        from documents import kinds
        from printing import fetcher

        signals.connect()
        fetcher.register_source("attachments/", attachments.read_for_print)

        kinds.register(
            kinds.Kind("case_summary", "Case summary", {"pdf": kinds.PDF}, None,
                       read_permission="cases.view_case", read_kind=ReadKind.CASE_SUMMARY,
                       inline=True),
            kinds.Kind("case_list", "Case list (spreadsheet)",
                       {"csv": kinds.CSV, "xlsx": kinds.XLSX}, None,
                       read_permission="cases.view_case", read_kind=ReadKind.SPREADSHEET),
        )  # fmt: skip
