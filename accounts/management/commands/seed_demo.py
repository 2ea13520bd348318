import pghistory
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, ensure_demo_accounts
from cases.demo import DEMO_BOARD, DEMO_CASES, ensure_demo_cases, ensure_demo_meeting


class Command(BaseCommand):
    help = (
        "Create the demo accounts, demo cases and an upcoming demo meeting "
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
        with pghistory.context(command="seed_demo"):
            ensure_demo_accounts()
            created = ensure_demo_cases()
            meeting = ensure_demo_meeting()
        if created:
            self.stdout.write(f"Created {created} demo case(s); {len(DEMO_CASES)} in all.")
        if meeting:
            self.stdout.write(f"Created the upcoming demo meeting '{DEMO_BOARD}'.")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for account in DEMO_ACCOUNTS:
            role = account.role or "superuser (administrator)"
            self.stdout.write(f"  {account.username:<12} {role}")
