"""Payload conversion and progress parsing: pure, no server."""

import pytest

from sselfie.engines.replicate_payloads import (
    Progress,
    parse_progress,
    prediction_state,
    training_state,
)

LINE = (
    "flux_train_replicate:  42%|████▏     | 420/1000 "
    "[05:12<07:10,  1.35it/s, lr: 4.0e-04 loss: 3.1e-01]"
)


def test_parses_an_ai_toolkit_progress_line():
    assert parse_progress(LINE) == Progress(percent=42.0, eta_seconds=430, step=420, total=1000)


def test_takes_the_last_redraw_across_carriage_returns_and_newlines():
    logs = "Loading...\n" + LINE.replace("420/", "10/") + "\r" + LINE + "\r\n"
    assert parse_progress(logs).step == 420


def test_ignores_a_cut_off_last_line():
    logs = LINE + "\rflux_train_replicate:  43%|████▎     | 43"
    assert parse_progress(logs).step == 420


def test_ignores_other_bars_captioning_and_sampling():
    logs = (
        "Captioning: 100%|██████████| 12/12 [00:08<00:00,  1.50it/s]\n"
        + LINE
        + "\r\n100%|██████████| 28/28 [00:03<00:00,  8.10it/s]\n"
    )
    assert parse_progress(logs).step == 420
    assert parse_progress("Captioning: 100%|██████████| 12/12 [00:08<00:00,  1.50it/s]") is None


def test_falls_back_to_a_bar_whose_total_is_the_step_count():
    unnamed = " 42%|████▏     | 420/1000 [05:12<07:10,  1.35it/s]"
    assert parse_progress(unnamed) is None
    assert parse_progress(unnamed, total_steps=1000).step == 420


@pytest.mark.parametrize(
    ("bar", "eta"),
    [
        ("flux_train_replicate:   0%|          | 0/1000 [00:00<?, ?it/s]", None),
        ("flux_train_replicate:  10%|█         | 100/1000 [10:00<1:30:05, 6.00s/it]", 5405),
    ],
)
def test_eta_unknown_and_hour_formats(bar, eta):
    assert parse_progress(bar).eta_seconds == eta


def test_no_progress_yet():
    assert parse_progress("") is None
    assert parse_progress("Downloading weights...\n") is None


def training(**changes):
    payload = {
        "id": "t1",
        "model": "ostris/flux-dev-lora-trainer",
        "version": "abc",
        "status": "processing",
        "input": {"input_images": "https://api/v1/files/f1", "steps": 1000},
        "logs": LINE,
        "output": None,
        "error": None,
        "created_at": "2026-01-01T10:00:00.123456Z",
        "started_at": "2026-01-01T10:00:01Z",
        "completed_at": None,
        "metrics": {},
    }
    return payload | changes


def test_training_state_while_running():
    state = training_state(training())
    assert (state.status, state.version, state.terminal) == ("processing", None, False)
    assert state.progress.step == 420
    assert state.input_images == "https://api/v1/files/f1"
    assert state.created_at.year == 2026 and state.completed_at is None


def test_training_state_when_succeeded_names_the_version_and_destination():
    state = training_state(training(
        status="succeeded",
        output={"version": "me/user-1-selfie-lora:v123", "weights": "https://d/w.tar"},
        metrics={"predict_time": 512.5, "note": "x", "flag": True},
    ))
    assert state.version == "me/user-1-selfie-lora:v123"
    assert state.version_id == "v123"
    assert state.destination == "me/user-1-selfie-lora"  # inferred, as the client does
    assert state.weights_url == "https://d/w.tar"
    assert dict(state.metrics) == {"predict_time": 512.5}
    assert state.terminal


@pytest.mark.parametrize("status", ["queued", "", None, 3, "SUCCEEDED"])
def test_an_unknown_status_is_logged_and_kept_in_flight(status, caplog):
    state = training_state(training(status=status))
    assert state.status == "unknown" and not state.terminal
    assert "unknown status" in caplog.text


def test_aborted_is_terminal():
    assert training_state(training(status="aborted")).terminal


def prediction(**changes):
    payload = {
        "id": "p1",
        "version": "v1",
        "status": "succeeded",
        "input": {"prompt": "TOK", "num_outputs": 4},
        "output": ["https://d/out-0.png", "https://d/out-1.png"],
        "error": None,
        "data_removed": False,
        "metrics": {"predict_time": 3.2},
    }
    return payload | changes


def test_prediction_with_fewer_images_than_asked_counts_the_filtered_ones():
    state = prediction_state(prediction())
    assert state.output_urls == ("https://d/out-0.png", "https://d/out-1.png")
    assert (state.requested, state.filtered, state.nsfw) == (4, 2, False)


def test_prediction_failed_for_nsfw_delivers_nothing():
    state = prediction_state(prediction(
        status="failed", output=None,
        error="All generated images contained NSFW content. Try running it again.",
    ))
    assert state.nsfw and state.output_urls == () and state.filtered == 4


def test_prediction_after_data_removal():
    state = prediction_state(prediction(output=None, data_removed=True, input={}))
    assert state.data_removed and state.output_urls == () and state.requested == 1


def test_a_single_url_output_becomes_a_tuple():
    assert prediction_state(prediction(output="https://d/x.webp")).output_urls == ("https://d/x.webp",)
