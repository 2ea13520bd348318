from django.db import migrations

DEMO_EMAIL_DOMAIN = "demo.invalid"


def mark(apps, schema_editor):
    """Demo accounts used to be recognised by their e-mail address; now by a DemoAccount row."""
    User = apps.get_model("auth", "User")
    DemoAccount = apps.get_model("accounts", "DemoAccount")
    for user in User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN):
        DemoAccount.objects.get_or_create(user=user)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
