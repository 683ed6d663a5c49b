"""How a job moves: starting → processing (logs that grow) → succeeded | failed | canceled.

Each job gets a list of phases when it is created; ``step`` runs the next one. Trainings
log like replicate/flux-fine-tuner (ai-toolkit's tqdm bar, named after the job, redrawn
with carriage returns, plus a captioning bar that is *not* training progress).
"""

from __future__ import annotations

import hashlib
import os
from typing import TYPE_CHECKING

from tests.fake_replicate import media
from tests.fake_replicate.state import FAST_TRAINER, NSFW_ERROR, Blob, Job, Version

if TYPE_CHECKING:
    from tests.fake_replicate.world import World

TRAIN_DESC = "flux_train_replicate"
TRAIN_POSTFIX = "lr: 4.0e-04 loss: 3.1e-01"  # ai-toolkit's set_postfix_str
PREDICT_STEPS = 28
# What Black Forest Labs' official models are reported to answer when the safety filter
# holds the image back (unverified; docs/preview.md).
SENSITIVE_ERROR = ("The output was flagged as sensitive. Please try different prompts "
                   "and/or input images (E005)")


def plan(world: World, job: Job) -> None:
    if job.kind == "training":
        updates = max(1, world.config.training_log_updates)
        job.phases = ["boot", "extract", *[f"train:{k}" for k in range(1, updates + 1)], "finish"]
    else:
        job.phases = ["boot", "finish"]
    if world.config.auto_advance:
        job.next_at = world.clock.now() + _duration(world, job, 0)


def _duration(world: World, job: Job, index: int) -> float:
    config = world.config
    if index == 0:
        seconds = config.starting_seconds
    elif job.kind == "training":
        total = config.fast_training_seconds if job.model == FAST_TRAINER else (
            config.training_seconds)
        seconds = total / max(1, len(job.phases) - 1)
    else:
        seconds = config.official_seconds if job.official else config.prediction_seconds
    return seconds / max(config.speed, 1e-9)


def _train_rate(world: World, job: Job, steps: int) -> float:
    """Steps per second as this fake actually moves, so the bar's ETA tells the truth about
    when the training ends here (a studio paces its polls by it), however compressed the
    fake's timeline is."""
    config = world.config
    total = config.fast_training_seconds if job.model == FAST_TRAINER else (
        config.training_seconds)
    return steps / max(total / max(config.speed, 1e-9), 1e-3)


def step(world: World, job: Job) -> None:
    """Run the job's next phase (nothing once it is terminal)."""
    if job.terminal or job.phase >= len(job.phases):
        return
    name = job.phases[job.phase]
    job.phase += 1
    if world.config.auto_advance and job.phase < len(job.phases):
        job.next_at = world.clock.now() + _duration(world, job, job.phase)
    if job.kind == "training":
        _training_phase(world, job, name)
    else:
        _prediction_phase(world, job, name)


def finish(world: World, job: Job, status: str, *, error: str | None = None) -> None:
    if job.terminal:
        return
    job.status = status
    job.error = error
    job.completed_at = world.clock.now()
    job.next_at = None
    if error:
        job.logs += f"{error}\n"
    events = ["output", "completed"] if job.output is not None else ["completed"]
    world.notify(job, events)


def tqdm_line(desc: str, step: int, total: int, rate: float, postfix: str = "") -> str:
    filled = int(10 * step / total)
    bar = "█" * filled + " " * (10 - filled)
    elapsed = _clock(step / rate)
    remaining = _clock((total - step) / rate) if step else "?"
    speed = f"{rate:5.2f}it/s" if step else "?it/s"
    head = f"{desc}: " if desc else ""
    tail = f", {postfix}" if postfix and step else ""
    percent = int(100 * step / total)
    return f"{head}{percent:3d}%|{bar}| {step}/{total} [{elapsed}<{remaining}, {speed}{tail}]"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def _start(world: World, job: Job, logs: str) -> None:
    job.status = "processing"
    job.started_at = world.clock.now()
    job.logs += logs
    world.notify(job, ["logs"])


def _training_phase(world: World, job: Job, name: str) -> None:
    fast = job.model == FAST_TRAINER
    steps = int(job.input.get("training_steps" if fast else "steps", 1000))
    # The fast trainer's own log format is not documented; the fake prints a plain tqdm bar
    # (no job name) whose total is the steps asked for (docs/preview.md).
    desc = "" if fast else TRAIN_DESC
    if name == "boot":
        _start(world, job, "Downloading base model weights...\nLoaded FLUX.1-dev in 4.2s\n")
        return
    if name == "extract":
        data = world.fetch(str(job.input.get("input_images", "")))
        problem = media.training_zip_problem(data)
        if problem:
            finish(world, job, "failed", error=problem)
            return
        count = media.image_count(data or b"")
        job.logs += f"Extracted {count} files from zip to input_images\n"
        if job.input.get("autocaption", not fast):
            job.logs += tqdm_line("Captioning", count, count, 1.5) + "\n"
        job.logs += tqdm_line(desc, 0, steps, _train_rate(world, job, steps))
        world.notify(job, ["logs"])
        return
    if name.startswith("train:"):
        updates = len(job.phases) - 3
        done = steps * int(name.split(":")[1]) // updates
        job.logs += "\r" + tqdm_line(desc, done, steps, _train_rate(world, job, steps),
                                      TRAIN_POSTFIX)
        world.notify(job, ["logs"])
        return
    owner, _, model_name = (job.destination or "").partition("/")
    model = world.models.get((owner, model_name))
    if model is None:
        finish(world, job, "failed", error="The specified training destination does not exist")
        return
    version = Version(
        id=hashlib.sha256(os.urandom(16)).hexdigest(),
        created_at=world.clock.now(),
        openapi_schema=world.trained_schema(),
    )
    model.versions[version.id] = version
    weights = world.add_blob("trained_model.tar", Blob(media.make_weights(), "application/x-tar"))
    job.logs += "\nSaved LoRA weights\nUploading weights to Replicate...\n"
    job.output = {"version": f"{owner}/{model_name}:{version.id}", "weights": weights}
    finish(world, job, "succeeded")


def _prediction_phase(world: World, job: Job, name: str) -> None:
    if job.official:
        _official_phase(world, job, name)
        return
    if name == "boot":
        _start(world, job, f"Using seed: {job.seed}\n" + tqdm_line("", 0, PREDICT_STEPS, 10.0))
        return
    wanted = int(job.input.get("num_outputs", 1))
    dropped = 0 if job.input.get("disable_safety_checker") else min(job.nsfw_drop, wanted)
    job.logs += "\r" + tqdm_line("", PREDICT_STEPS, PREDICT_STEPS, 10.5) + "\n"
    if dropped >= wanted:
        finish(world, job, "failed", error=NSFW_ERROR)
        return
    fmt = str(job.input.get("output_format", "webp"))
    quarter = job.input.get("megapixels") == "0.25"
    megapixels = world.config.image_megapixels * (0.25 if quarter else 1)
    width, height = media.dimensions(str(job.input.get("aspect_ratio", "1:1")), megapixels)
    expires = world.clock.now() + world.config.output_ttl
    urls = []
    for index in range(wanted):
        if index >= wanted - dropped:
            job.logs += f"NSFW content detected in image {index}, skipping\n"
            continue
        data = media.make_image(width, height, fmt, job.seed, index, world.config.output_sources)
        blob = Blob(data, "image/jpeg" if fmt == "jpg" else f"image/{fmt}", expires_at=expires)
        url = world.add_blob(f"out-{index}.{fmt}", blob)
        job.blobs.append(url)
        urls.append(url)
    job.output = urls
    finish(world, job, "succeeded")


def _official_phase(world: World, job: Job, name: str) -> None:
    """An identity model: it reads its reference images (they must resolve, as Replicate's
    workers must download them) and returns one image of that person (the first reference
    fitted to the asked size, so likeness scoring sees the same face)."""
    if name == "boot":
        _start(world, job, f"Using seed: {job.seed}\n")
        return
    refs = job.input.get("input_images")
    refs = refs if isinstance(refs, list) else (
        [job.input["input_image"]] if isinstance(job.input.get("input_image"), str) else [])
    sources = []
    for url in refs:
        data = world.fetch(str(url))
        if data is None:
            finish(world, job, "failed", error=f"Failed to download input image: {url}")
            return
        sources.append(data)
    if job.nsfw_drop:
        finish(world, job, "failed", error=SENSITIVE_ERROR)
        return
    fmt = str(job.input.get("output_format", "webp"))
    width, height = media.dimensions(str(job.input.get("aspect_ratio", "1:1")),
                                     world.config.image_megapixels)
    data = media.make_image(width, height, fmt, job.seed, 0, tuple(sources[:1]))
    expires = world.clock.now() + world.config.output_ttl
    blob = Blob(data, "image/jpeg" if fmt == "jpg" else f"image/{fmt}", expires_at=expires)
    url = world.add_blob(f"output.{fmt}", blob)
    job.blobs.append(url)
    job.logs += "Generated image in 4.1s\n"
    job.output = url  # one URI, as the official models' output schema says
    finish(world, job, "succeeded")


def expire(world: World, job: Job) -> None:
    """Past the output TTL an API prediction loses its input, output and logs."""
    if job.kind != "prediction" or job.data_removed or job.completed_at is None:
        return
    if world.clock.now() < job.completed_at + world.config.output_ttl:
        return
    job.data_removed = True
    job.output = None
    job.logs = ""
    job.input = {}
