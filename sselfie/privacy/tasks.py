from django.tasks import task

from sselfie.privacy import export


@task()
def build_export(export_id: str) -> None:
    export.build(export_id)
