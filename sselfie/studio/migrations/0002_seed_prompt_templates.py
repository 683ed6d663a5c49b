from django.db import migrations


def seed(apps, schema_editor):
    from sselfie.studio.prompts import load_catalog

    PromptTemplate = apps.get_model("studio", "PromptTemplate")
    for record in load_catalog().templates():
        PromptTemplate.objects.get_or_create(
            category=record.category, subcategory=record.key,
            defaults={"template": record.template},
        )


class Migration(migrations.Migration):
    dependencies = [("studio", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
