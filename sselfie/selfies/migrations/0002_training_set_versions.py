from django.db import migrations, models


class Migration(migrations.Migration):
    """Versions and leases for the training zip (selfies/training_set.py). Existing rows
    start at version 1, built from version 1: their zip was built from their current set."""

    dependencies = [
        ("selfies", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingset",
            name="version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="trainingset",
            name="built_version",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AlterField(
            model_name="trainingset",
            name="built_version",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="trainingset",
            name="leased",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
