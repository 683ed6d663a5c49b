from django.db import migrations


class Migration(migrations.Migration):
    """One spelling across the studio: "favourite", as the pages say."""

    dependencies = [
        ("studio", "0004_generation_provider_cost"),
    ]

    operations = [
        migrations.RenameField(model_name="generatedimage", old_name="favorite",
                               new_name="favourite"),
    ]
