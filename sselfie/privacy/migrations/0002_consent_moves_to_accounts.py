from django.db import migrations


class Migration(migrations.Migration):
    """Consent now belongs to accounts (accounts 0005); its table stays where it is."""

    dependencies = [
        ("privacy", "0001_initial"),
        ("accounts", "0005_consent_moves_here"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("Consent")]),
    ]
