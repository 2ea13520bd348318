from django.core.management.base import BaseCommand

from meetings import prerender


class Command(BaseCommand):
    help = (
        "Queue, for the task workers, the case sections of upcoming meetings that are not "
        "laid out yet (after an upgrade, or nightly; changes in the app queue them by "
        "themselves)."
    )

    def handle(self, *args, **options):
        queued = prerender.prepare_upcoming.call()
        self.stdout.write(
            f"Queued {queued} case section(s) of upcoming meetings for the task workers."
        )
