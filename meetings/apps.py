from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Meetings"

    def ready(self) -> None:
        from meetings import prerender

        prerender.connect()  # lay case sections out ahead when what they show changes
