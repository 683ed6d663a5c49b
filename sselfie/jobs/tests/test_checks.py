"""A bad REPLICATE_* value stops start-up (the system check), with what to set."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

pytestmark = pytest.mark.django_db


def test_no_token_is_fine_the_studio_runs_with_creation_off(settings):
    settings.REPLICATE_API_TOKEN = ""
    settings.REPLICATE_TRAINER_VERSION = "nonsense"
    call_command("check")


@pytest.mark.parametrize(("name", "value", "says"), [
    ("REPLICATE_TRAINER_VERSION", "ostris/flux-dev-lora-trainer", "REPLICATE_TRAINER_VERSION"),
    ("REPLICATE_TRAINER_VERSION", "no-slash:abc", "REPLICATE_TRAINER_VERSION"),
    ("REPLICATE_TRAINING_STEPS", 7000, "REPLICATE_TRAINING_STEPS"),
])
def test_a_token_with_a_bad_companion_setting_stops_start_up(settings, name, value, says):
    settings.REPLICATE_API_TOKEN = "r8_token"
    setattr(settings, name, value)
    with pytest.raises(SystemCheckError, match=says):
        call_command("check")


def test_a_complete_configuration_passes(settings):
    settings.REPLICATE_API_TOKEN = "r8_token"
    call_command("check")
