from django.tasks import task

from sselfie.selfies import training_set


@task()
def rebuild_training_set(owner_id: int) -> str:
    """Rebuild the owner's training zip from their usable photos (training_set.rebuild).
    Safe to run twice and out of order: the newest set wins."""
    return training_set.rebuild(owner_id)
