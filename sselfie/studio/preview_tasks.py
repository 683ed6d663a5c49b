from django.tasks import task

from sselfie.studio import preview


@task()
def submit_preview(preview_id: str) -> None:
    preview.submit(preview_id)
