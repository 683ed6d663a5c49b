from django.tasks import task

from sselfie.studio import generation, ingest


@task()
def submit_generation(generation_id: str) -> None:
    generation.submit(generation_id)


@task()
def ingest_generation(generation_id: str) -> None:
    ingest.ingest(generation_id)
