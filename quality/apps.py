from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality reporting"

    def ready(self) -> None:
        from common.slots import slot
        from documents import kinds

        slot("meetings.list_actions").register("quality/_meeting_list_actions.html")

        # Figures only, never a patient's name: nothing for the read log.
        kinds.register(
            kinds.Kind("annual_report", "Annual MDT report", {"pdf": kinds.PDF},
                       lambda report: f"mdt-report-{report.start}-to-{report.end}.pdf",
                       read_permission="quality.view_dashboard",
                       make_permission="quality.view_dashboard", model="quality.QualityReport",
                       render="quality.documents.render_report", related=("area",)),
            kinds.Kind("quality_table", "Quality figures (spreadsheet)", {"csv": kinds.CSV},
                       None, read_permission="quality.view_dashboard"),
        )  # fmt: skip
