import pghistory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from config.discovery import project_modules


class Command(BaseCommand):
    help = (
        "Create the demo data of every app: accounts, cases and an upcoming meeting "
        "(development only: refused when DEBUG is off)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-demo-mode",
            action="store_true",
            help="Do nothing, successfully, when not in demo mode (for scripts).",
        )

    def handle(self, *args, if_demo_mode, **options):
        if not settings.DEMO_MODE:
            if if_demo_mode:
                return
            raise CommandError(
                "seed_demo only runs in development (DEBUG=1): demo accounts must never exist "
                "in production."
            )
        with pghistory.context(command="seed_demo"), transaction.atomic():
            # Each app's demo.seed(), lower apps first: cases need the accounts, the
            # meeting needs the cases.
            for module in project_modules("demo"):
                for line in module.seed():
                    self.stdout.write(line)
