from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = "Decisions"

    def ready(self) -> None:
        # Guideline items name plan modalities by code; the list is ours (guidelines
        # cannot import it), so we tell it where to check them.
        from decisions.models import Modality
        from guidelines import models as guidelines

        guidelines.modality_names = lambda: dict(Modality.objects.values_list("code", "name"))
        _register_documents()
        _fill_slots()


def _fill_slots() -> None:
    """The board's decisions where the pages below show them (``common.slots``)."""
    from common.slots import slot

    slot("cases.case_panels").register("decisions/_case_panel.html")
    slot("meetings.list_actions").register("decisions/_meeting_list_actions.html")
    slot("meetings.meeting_actions").register("decisions/_meeting_actions.html")
    slot("meetings.agenda_item").register("decisions/_agenda_item.html", prefetch=("decisions",))
    slot("meetings.meeting_panels").register("decisions/_meeting_panel.html")


def _register_documents() -> None:
    from accounts.models import ReadKind
    from documents import kinds
    from meetings.models import handout_filename

    made_from_records = {
        "model": "meetings.Handout", "render": "decisions.documents.render_handout",
        "related": ("meeting__board", "agenda_item__case__patient"),
        "read_permission": "meetings.view_meeting", "make_permission": "decisions.change_decision",
        "retention_setting": "HANDOUT_RETENTION_DAYS",
    }  # fmt: skip
    table = {"csv": kinds.CSV, "xlsx": kinds.XLSX}
    kinds.register(
        kinds.Kind("minutes", "Minutes", {"pdf": kinds.PDF}, handout_filename,
                   read_kind=ReadKind.MINUTES, keep_latest_of=("meeting",),
                   retention_words="minutes", **made_from_records),
        kinds.Kind("letter", "Outcome letter", {"pdf": kinds.PDF}, handout_filename,
                   read_kind=ReadKind.LETTER, keep_latest_of=("agenda_item",),
                   retention_words="outcome letter(s)", **made_from_records),
        kinds.Kind("decision_export", "Decisions (spreadsheet)", table, None,
                   read_permission="decisions.view_decision", read_kind=ReadKind.SPREADSHEET),
        kinds.Kind("action_export", "Actions (spreadsheet)", table, None,
                   read_permission="decisions.view_decision", read_kind=ReadKind.SPREADSHEET),
    )  # fmt: skip
