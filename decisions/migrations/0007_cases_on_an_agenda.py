"""Cases listed on a meeting still to come, without a decision there, were "ready" or
"draft" before the status followed the agenda; they are now "on a meeting's agenda"."""

from django.db import migrations
from django.utils import timezone


def on_agenda(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(
        status__in=["draft", "ready"],
        agenda_items__meeting__starts_at__gte=timezone.now(),
        agenda_items__decisions__isnull=True,
    ).update(status="on_agenda")


def back(apps, schema_editor):
    apps.get_model("cases", "Case").objects.filter(status="on_agenda").update(status="ready")
    apps.get_model("cases", "Case").objects.filter(status="actions_open").update(status="discussed")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_status_follows_the_meeting"),
        ("meetings", "0011_attendance_user"),
        ("decisions", "0006_confirmations_and_amendments_are_final"),
    ]

    operations = [migrations.RunPython(on_agenda, back)]
