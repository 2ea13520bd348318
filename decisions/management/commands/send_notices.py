"""Send the daily e-mail notices (``decisions.notify``): overdue actions, cases not ready
for their meeting, decisions waiting for a signature. Run once a day (README's schedule);
a second run the same day sends nothing again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from accounts.models import NoticeKind
from decisions import notify


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options) -> None:
        sent = notify.daily()
        for kind, count in sent.items():
            self.stdout.write(f"{NoticeKind(kind).label}: {count} sent")
