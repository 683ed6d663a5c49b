"""replicate/fast-flux-trainer as the chosen trainer: its inputs, its ETA and its progress."""

import pytest

from sselfie.training import services
from sselfie.training.models import Training
from sselfie.training.status import ModelStatus

pytestmark = pytest.mark.django_db


def test_the_fast_trainer_gets_its_inputs_and_the_card_its_eta(fake, ready_owner, settings,
                                                              owner_client):
    settings.REPLICATE_TRAINER_VERSION = fake.fast_trainer_version
    assert "about 2–5 minutes" in ModelStatus.for_user(ready_owner).body
    training = services.start(ready_owner)
    services.submit(str(training.pk))
    training.refresh_from_db()
    [create] = fake.calls("trainings.create")
    assert create.path.startswith("/v1/models/replicate/fast-flux-trainer/versions/")
    sent = create.json["input"]
    assert sent["training_steps"] == 1000 and sent["lora_type"] == "subject"
    assert "steps" not in sent and "autocaption" not in sent
    for _ in range(4):
        fake.advance(training.provider_id)
    services.apply(training.pk, services.replicate.get_training(training.provider_id))
    training = Training.objects.get(pk=training.pk)
    assert training.state == "training" and 0 < training.progress < 100
    assert training.eta_seconds is not None
    assert "min left" in ModelStatus.for_user(ready_owner).body


def test_the_default_trainer_keeps_its_eta(fake, ready_owner):
    assert "about 20–30 minutes" in ModelStatus.for_user(ready_owner).body
