from django.core.management.base import BaseCommand, CommandError

from decisions import signing
from decisions.models import Decision, DecisionStatus


class Command(BaseCommand):
    help = (
        "Check every signed decision: its content still gives its SHA-256, its keyed hash "
        "(DECISION_SIGNING_KEY) matches that SHA-256, and an amendment still names the hash "
        "of the version it corrects. Names each record that fails (exit status 1)."
    )

    def handle(self, *args, **options):
        signed = Decision.objects.filter(status=DecisionStatus.SIGNED).select_related(
            "agenda_item", "signed_by", "amends"
        )
        count = 0
        broken = 0
        for decision in signed.iterator():
            count += 1
            found = signing.problems_found(decision)
            if not found:
                continue
            broken += 1
            item = decision.agenda_item
            self.stderr.write(
                f"decision {decision.pk} (meeting {item.meeting_id}, case {item.case_id}) "
                f"was changed after signing: {'; '.join(found)}"
            )
        if broken:
            raise CommandError(f"{broken} of {count} signed decision(s) do not match.")
        self.stdout.write(f"All {count} signed decision(s) match their signatures.")
