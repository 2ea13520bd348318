"""`manage.py migrate`, run as the tables' owner when DATABASE_OWNER_URL is set."""

from django.core.management.commands.migrate import Command as MigrateCommand

from config.owner import act_as_owner


class Command(MigrateCommand):
    help = MigrateCommand.help + " Runs as DATABASE_OWNER_URL's role when that is set."

    def handle(self, *args, **options):
        act_as_owner(options["database"])
        return super().handle(*args, **options)
