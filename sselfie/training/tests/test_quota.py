"""One training at a time, and the plan's trainings per rolling 24 hours."""

import os
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings

from sselfie.accounts.models import Plan
from sselfie.jobs.reconcile import reconcile_jobs
from sselfie.selfies.models import TrainingSet
from sselfie.training import services
from sselfie.training.models import State, Training
from sselfie.training.tasks import submit_training


def submitted(user) -> Training:
    training = services.start(user)
    submit_training.call(str(training.pk))
    training.refresh_from_db()
    return training


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_train_clicks_make_one_training(fake, ready_owner_with_zip, shared_db):
    ready_owner = ready_owner_with_zip
    from django_tasks_db.models import DBTaskResult

    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def click() -> None:
        shared_db.use_in_this_thread()
        try:
            barrier.wait(timeout=10)
            try:
                outcomes.append(services.start(ready_owner))
            except services.CannotTrain as refused:
                outcomes.append(refused)
        finally:
            shared_db.done_in_this_thread()

    with shared_db:
        clicks = [threading.Thread(target=click) for _ in range(2)]
        for thread in clicks:
            thread.start()
        for thread in clicks:
            thread.join(timeout=30)

    started = [o for o in outcomes if isinstance(o, Training)]
    refused = [o for o in outcomes if isinstance(o, services.CannotTrain)]
    assert len(started) == 1 and len(refused) == 1, outcomes
    assert refused[0].message == "Your model is already training."
    assert Training.objects.get().pk == started[0].pk
    submits = DBTaskResult.objects.filter(task_path__endswith="training.tasks.submit_training")
    assert submits.count() == 1
    # Neither click built or copied a zip: the started training leases the set's zip.
    assert not os.path.exists(os.path.join(django_settings.MEDIA_ROOT, "trainings"))
    training_set = TrainingSet.objects.get(owner=ready_owner)
    assert started[0].archive == training_set.archive and training_set.leased == [
        training_set.archive]


@pytest.mark.django_db
def test_a_second_start_while_one_is_active_is_refused(fake, ready_owner):
    services.start(ready_owner)
    with pytest.raises(services.CannotTrain) as refused:
        services.start(ready_owner)
    assert refused.value.message == "Your model is already training."
    assert refused.value.resets_at is None


@pytest.mark.django_db
def test_after_a_success_the_next_training_waits_24_hours(
    fake, ready_owner, owner_client, django_capture_on_commit_callbacks
):
    first = submitted(ready_owner)
    fake.complete(first.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        reconcile_jobs()
    first.refresh_from_db()
    assert first.state == State.SUCCEEDED

    with pytest.raises(services.CannotTrain) as refused:
        services.start(ready_owner)
    resets_at = first.created_at + timedelta(hours=24)
    assert refused.value.message == "You have used today's training."
    assert refused.value.resets_at == resets_at

    response = owner_client.post("/model/train/", follow=True)
    assert response.redirect_chain == [("/selfies/", 302)]
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [f"You have used today's training. You can train again after "
                     f"{resets_at:%b %-d, %H:%M} UTC."]
    assert Training.objects.count() == 1

    with time_machine.travel(resets_at - timedelta(seconds=5)):
        with pytest.raises(services.CannotTrain):
            services.start(ready_owner)
    with time_machine.travel(resets_at + timedelta(seconds=1)):
        again = services.start(ready_owner)
    assert again.state == State.QUEUED


@pytest.mark.django_db
def test_a_plan_with_two_trainings_a_day_allows_a_second(
    fake, ready_owner, django_capture_on_commit_callbacks
):
    Plan.objects.filter(pk=ready_owner.profile.plan_id).update(trainings_per_day=2)
    first = submitted(ready_owner)
    fake.complete(first.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        reconcile_jobs()
    assert services.start(ready_owner).state == State.QUEUED


@pytest.mark.django_db
@pytest.mark.parametrize("end", ["failed", "canceled"])
def test_failed_and_canceled_trainings_give_the_slot_back(
    fake, ready_owner, django_capture_on_commit_callbacks, end
):
    training = submitted(ready_owner)
    with django_capture_on_commit_callbacks(execute=True):
        if end == "failed":
            fake.fail(training.provider_id, "CUDA out of memory")
            reconcile_jobs()
        else:
            services.cancel(training)
    training.refresh_from_db()
    assert training.state == end
    assert services.start(ready_owner).state == State.QUEUED
    assert Training.objects.owned_by(ready_owner).counting_against_quota().count() == 1
