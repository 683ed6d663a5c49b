from django.tasks import task

from sselfie.training import services


@task()
def submit_training(training_id: str) -> None:
    services.submit(training_id)
