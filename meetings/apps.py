from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from accounts.models import ReadKind
        from documents import kinds
        from meetings import prerender, signing_rights
        from meetings.models import handout_filename

        prerender.connect()  # lay case sections out ahead when what they show changes
        signing_rights.connect()  # who may sign: recorded and told (accounts.account_changes)
        kinds.register(
            kinds.Kind(
                "meeting_pack", "Meeting pack", {"pdf": kinds.PDF}, handout_filename,
                read_permission="meetings.view_meeting", make_permission="meetings.change_meeting",
                read_kind=ReadKind.MEETING_PACK, model="meetings.Handout",
                render="meetings.handouts.render_pack", related=("meeting__board",),
                retention_setting="HANDOUT_RETENTION_DAYS", keep_latest_of=("meeting",),
                retention_words="meeting pack(s)",
            ),
        )  # fmt: skip
