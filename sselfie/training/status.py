"""The personal-model card: one place that decides what a person sees about their model."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.urls import reverse

from sselfie.accounts.models import Profile, User
from sselfie.selfies.coach import coach_for
from sselfie.training.models import PersonalModel, State, Training
from sselfie.training.services import CannotTrain, check_slot

# What each trainer takes, before its own logs give an ETA: ostris' from the studio's own
# runs of the seed's 1000 steps; the fast trainer's from Replicate's description of it
# ("about 2 minutes"), with room for booting (docs/preview.md).
TRAINER_DURATIONS = {
    "ostris/flux-dev-lora-trainer": "about 20–30 minutes",
    "replicate/fast-flux-trainer": "about 2–5 minutes",
}


def expected_duration() -> str:
    trainer = settings.REPLICATE_TRAINER_VERSION.partition(":")[0]
    return TRAINER_DURATIONS.get(trainer, "about 20–30 minutes")


@dataclass(frozen=True)
class ModelStatus:
    state: str  # no_selfies | collecting | ready_to_train | training | failed | canceled | ready
    title: str
    body: str
    model: PersonalModel | None = None
    training: Training | None = None
    link_label: str = ""
    link_url: str = ""
    can_train: bool = False

    @property
    def stages(self) -> list[tuple[str, str]]:
        """The training's stages in a person's words (the State labels are for operators)."""
        return list(STAGE_NAMES.items())

    @property
    def stage_label(self) -> str:
        return STAGE_NAMES.get(State(self.training.state), "") if self.training else ""

    @property
    def step(self) -> str:
        """Where the person is in questionnaire -> selfies -> training -> create."""
        if self.model_ready:
            return "create"
        if self.state == "training":
            return "training"
        return "selfies"

    @property
    def polling(self) -> bool:
        return self.training is not None and self.training.is_active

    @property
    def poll_seconds(self) -> int:
        """The card asks every second near the end, so "ready" shows within about a
        second of the model being done, and every 3 s before that."""
        training = self.training
        near_end = training is not None and (
            training.progress >= 95 or (training.eta_seconds is not None
                                        and training.eta_seconds <= 30))
        return 1 if near_end else 3

    @property
    def model_ready(self) -> bool:
        return self.model is not None and self.model.is_ready

    @property
    def last_used_at(self) -> datetime | None:
        return self.model.last_used_at if self.model else None

    @classmethod
    def for_user(cls, user: User) -> "ModelStatus":
        model = PersonalModel.objects.filter(owner=user).first()
        latest = Training.objects.owned_by(user).first()
        selfies_url = reverse("selfies")
        if latest and latest.is_active:
            return cls("training", "Training your model", _progress_text(latest), model, latest)
        coach = coach_for(user)
        slot_free = _slot_free(user)
        if model and model.is_ready:
            body = "Your personal model is ready: every photo you create is of you."
            return cls("ready", "Your model is ready", body, model, latest,
                        "Update my selfies", selfies_url, can_train=coach.ready and slot_free)
        if latest and latest.state == State.FAILED:
            return cls("failed", "Training didn't finish", latest.error, model, latest,
                       "Review my selfies", selfies_url, can_train=coach.ready and slot_free)
        if latest and latest.state == State.CANCELED:
            return cls("canceled", "Training canceled", "Start again whenever you like.",
                       model, latest, "Review my selfies", selfies_url,
                       can_train=coach.ready and slot_free)
        if coach.ready:
            return cls("ready_to_train", "Ready to train",
                       f"{coach.usable} photos are ready. Training takes {expected_duration()}.",
                       model, None, "Review my selfies", selfies_url, can_train=slot_free)
        if coach.selfies:
            return cls("collecting", "Your selfies",
                       f"{coach.usable} of at least {coach.minimum} photos are ready.",
                       model, None, "Continue with my selfies", selfies_url)
        return cls("no_selfies", "Your personal model",
                   "Upload 10–15 selfies and we train a model that knows your face.",
                   model, None, "Upload your selfies", selfies_url)


# Stage names a person understands, in order; the last is where training ends well.
STAGE_NAMES = {
    State.QUEUED: "Getting ready",
    State.UPLOADING: "Sending your photos",
    State.STARTING: "Warming up",
    State.TRAINING: "Learning your face",
    State.SUCCEEDED: "Ready to create",
}


def _slot_free(user: User) -> bool:
    """Whether the plan allows another training now (failed ones gave their slot back)."""
    try:
        check_slot(user, Profile.for_user(user))
    except CannotTrain:
        return False
    return True


def _progress_text(training: Training) -> str:
    """Progress and time left, from the trainer's own log (see Training.progress/eta)."""
    if training.busy_note:
        return training.busy_note
    if training.state == State.TRAINING and training.eta_seconds:
        minutes = max(round(training.eta_seconds / 60), 1)
        return f"{training.progress:.0f}% done · about {minutes} min left"
    if training.state == State.TRAINING:
        return f"{training.progress:.0f}% done · working out the time left"
    return f"{STAGE_NAMES[State(training.state)]}… the whole training takes about 20–30 minutes."
