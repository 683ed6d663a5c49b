from django.db import migrations


def create_default_plan(apps, schema_editor):
    Plan = apps.get_model("accounts", "Plan")
    if not Plan.objects.filter(is_default=True).exists():
        # The seed's limits: 1 training per 24 h, 50 images per day, 500 saved images.
        Plan.objects.create(
            name="Studio", trainings_per_day=1, images_per_day=50, saved_images=500,
            is_default=True,
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_default_plan, migrations.RunPython.noop)]
