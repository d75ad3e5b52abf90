from datetime import date

from django.db import migrations


def create_corporate_accounts(apps, schema_editor):
    Account = apps.get_model("accounts", "Account")
    Sponsorship = apps.get_model("accounts", "Sponsorship")
    root, _ = Account.objects.get_or_create(
        number=1,
        defaults={"kind": "ambassador", "is_corporate": True, "name": "Plexus Corporate",
                  "enrolled_on": date(2008, 1, 1), "country": "US"},
    )
    orphan, created = Account.objects.get_or_create(
        number=2,
        defaults={"kind": "ambassador", "is_corporate": True, "name": 'Corporate Sponsor "2"',
                  "enrolled_on": date(2008, 1, 1), "country": "US", "sponsor": root},
    )
    if created:
        Sponsorship.objects.create(account=orphan, sponsor=root, valid_from=date(2008, 1, 1), reason="enrollment")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_corporate_accounts, migrations.RunPython.noop)]
