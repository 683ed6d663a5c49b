import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Consent moves from privacy down to accounts, so the selfies app can ask for it
    without reaching up. The table keeps its name: only Django's idea of its owner changes."""

    dependencies = [
        ("accounts", "0004_industry_other_label"),
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Consent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                                   serialize=False, verbose_name="ID")),
                        ("version", models.CharField(max_length=20)),
                        ("accepted_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="consents",
                                                   to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "privacy_consent",
                        "constraints": [models.UniqueConstraint(
                            fields=("user", "version"), name="one_consent_per_version")],
                    },
                ),
            ],
        ),
    ]
