from django.core.management.base import BaseCommand, CommandError

from decisions import signing
from decisions.models import Decision, DecisionStatus


class Command(BaseCommand):
    help = (
        "Recompute the SHA-256 of every signed decision and report any that no longer "
        "matches what was signed (exit status 1)."
    )

    def handle(self, *args, **options):
        signed = Decision.objects.filter(status=DecisionStatus.SIGNED).select_related(
            "agenda_item", "signed_by", "amends"
        )
        broken = [decision for decision in signed.iterator() if not signing.verify(decision)]
        count = signed.count()
        for decision in broken:
            item = decision.agenda_item
            self.stderr.write(
                f"decision {decision.pk} (meeting {item.meeting_id}, case {item.case_id}) "
                "does not match its signature (or no longer names the hash of the version it "
                "amends): it was changed after signing"
            )
        if broken:
            raise CommandError(f"{len(broken)} of {count} signed decision(s) do not match.")
        self.stdout.write(f"All {count} signed decision(s) match their signatures.")
