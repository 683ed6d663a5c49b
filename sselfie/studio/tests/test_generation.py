import pytest
from django.core.files.storage import default_storage

from sselfie.accounts.models import Profile
from sselfie.accounts.quota import today_utc
from sselfie.jobs.reconcile import reconcile_jobs
from sselfie.studio import generation, ingest
from sselfie.studio.models import GeneratedImage, Generation
from tests.fake_replicate import NSFW_ALL

pytestmark = pytest.mark.django_db

FORM = {"category": "lifestyle", "subcategory": "working", "aspect_ratio": "4:5"}


def create(client, personal_model, **overrides):
    return client.post("/studio/generate/", {**FORM, "model": str(personal_model.pk), **overrides})


def used(user) -> int:
    return Profile.objects.get(user=user).images_used


def run_to_the_end(fake, gen: Generation) -> Generation:
    """What the worker and the reconcile loop do, in order."""
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    fake.complete(gen.provider_id)
    reconcile_jobs()
    gen.refresh_from_db()
    if gen.state == "ingesting":
        ingest.ingest(str(gen.pk))
        gen.refresh_from_db()
    return gen


def test_happy_path_stores_four_photos_and_charges_four(owner_client, owner, trained, fake):
    response = create(owner_client, trained)
    assert response.status_code == 302
    gen = Generation.objects.get(owner=owner)
    assert used(owner) == 4
    assert trained.trigger_word in gen.prompt and "woman" in gen.prompt
    assert gen.prompt.endswith("photographed on film")

    gen = run_to_the_end(fake, gen)
    assert gen.state == "succeeded" and gen.delivered == 4 and gen.refunded == 0
    sent = fake.calls("predictions.create")[0].json
    assert sent["input"]["prompt"] == gen.prompt
    assert sent["input"] | {} == sent["input"]
    assert {k: sent["input"][k] for k in ("model", "num_outputs", "num_inference_steps",
                                          "guidance_scale", "lora_scale", "output_format",
                                          "output_quality", "go_fast", "aspect_ratio")} == {
        "model": "dev", "num_outputs": 4, "num_inference_steps": 28, "guidance_scale": 2.8,
        "lora_scale": 0.8, "output_format": "png", "output_quality": 100, "go_fast": False,
        "aspect_ratio": "4:5"}
    images = list(GeneratedImage.objects.filter(owner=owner))
    assert len(images) == 4
    for image in images:
        assert default_storage.exists(image.image) and default_storage.exists(image.thumbnail)
        assert image.prompt == gen.prompt and not image.saved
        assert not image.has_face  # the fake's outputs are flat colours
    assert used(owner) == 4
    trained.refresh_from_db()
    assert trained.last_used_at is not None


def test_results_are_shown_and_served_only_to_the_owner(owner_client, owner, trained, fake,
                                                         stranger_client):
    create(owner_client, trained)
    gen = run_to_the_end(fake, Generation.objects.get(owner=owner))
    page = owner_client.get("/studio/").content.decode()
    assert "Lifestyle · Working" in page and "Save to Gallery" in page
    image = gen.images.first()
    assert owner_client.get(f"/images/{image.id}/thumb/").status_code == 200
    download = owner_client.get(f"/images/{image.id}/download/")
    assert download.status_code == 200
    assert 'attachment; filename="sselfie-lifestyle-working-' in download["Content-Disposition"]
    assert stranger_client.get(f"/images/{image.id}/full/").status_code == 404
    assert stranger_client.get(f"/studio/generations/{gen.id}/").status_code == 404
    assert stranger_client.post(f"/studio/generations/{gen.id}/again/").status_code == 404


def test_polling_fragment_stops_when_done(owner_client, owner, trained, fake):
    create(owner_client, trained)
    gen = Generation.objects.get(owner=owner)
    assert owner_client.get(f"/studio/generations/{gen.id}/").status_code == 200
    run_to_the_end(fake, gen)
    assert owner_client.get(f"/studio/generations/{gen.id}/").status_code == 286


def test_images_held_back_by_the_safety_filter_are_refunded(owner_client, owner, trained, fake):
    fake.nsfw_next(1)
    create(owner_client, trained)
    gen = run_to_the_end(fake, Generation.objects.get(owner=owner))
    assert gen.state == "succeeded" and gen.delivered == 3 and gen.refunded == 1
    assert "1 of 4 photos were held back" in gen.notice
    assert used(owner) == 3


def test_all_images_held_back_refunds_everything(owner_client, owner, trained, fake):
    fake.nsfw_next(NSFW_ALL)
    create(owner_client, trained)
    gen = run_to_the_end(fake, Generation.objects.get(owner=owner))
    assert gen.state == "failed" and gen.refunded == 4
    assert "safety filter held back all the photos" in gen.error
    assert used(owner) == 0
    assert not GeneratedImage.objects.exists()


def test_outputs_that_expire_before_ingest_fail_cleanly_and_refund(owner_client, owner,
                                                                   trained, fake):
    create(owner_client, trained)
    gen = Generation.objects.get(owner=owner)
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    fake.complete(gen.provider_id)
    reconcile_jobs()
    fake.travel(3700)  # Replicate removes outputs after about an hour
    ingest.ingest(str(gen.pk))
    gen.refresh_from_db()
    assert gen.state == "failed" and gen.refunded == 4
    assert "expired" in gen.error
    assert used(owner) == 0


def test_provider_failure_refunds(owner_client, owner, trained, fake):
    create(owner_client, trained)
    gen = Generation.objects.get(owner=owner)
    generation.submit(str(gen.pk))
    gen.refresh_from_db()
    fake.fail(gen.provider_id, "CUDA out of memory")
    reconcile_jobs()
    gen.refresh_from_db()
    assert gen.state == "failed" and gen.refunded == 4 and "out of memory" in gen.error
    assert used(owner) == 0


def test_refund_happens_once_whatever_the_callers(owner_client, owner, trained, fake):
    fake.nsfw_next(NSFW_ALL)
    create(owner_client, trained)
    gen = run_to_the_end(fake, Generation.objects.get(owner=owner))
    generation.fail(gen, "again")
    generation.refund(gen.pk, 4)
    gen.refresh_from_db()
    assert gen.refunded == 4 and used(owner) == 0


def test_a_strangers_model_id_is_404_and_costs_nothing(stranger_client, stranger, trained):
    response = create(stranger_client, trained)
    assert response.status_code == 404
    assert used(stranger) == 0
    assert not Generation.objects.exists()


def test_no_ready_model_leads_to_the_training_flow(owner_client, owner, trained):
    trained.version = ""
    trained.save()
    response = create(owner_client, trained)
    assert response.status_code == 302 and response["Location"] == "/selfies/"
    assert used(owner) == 0


def test_the_last_images_of_the_day_are_created_not_stranded(owner_client, owner, trained,
                                                             fake):
    Profile.objects.filter(user=owner).update(images_used=47, images_day=today_utc())
    response = create(owner_client, trained)
    assert response.status_code in (200, 302)
    gen = Generation.objects.get()
    assert (gen.requested, gen.charged) == (3, 3) and used(owner) == 50
    generation.submit(str(gen.pk))
    [call] = fake.calls("predictions.create")
    assert call.json["input"]["num_outputs"] == 3


def test_daily_limit_shows_plans_and_reset_time(owner_client, owner, trained):
    Profile.objects.filter(user=owner).update(images_used=50, images_day=today_utc())
    response = create(owner_client, trained)
    assert response.status_code == 429
    page = response.content.decode()
    assert "today&#x27;s 50 images" in page and "resets" in page and "Studio" in page
    assert used(owner) == 50
    assert not Generation.objects.exists()


@pytest.mark.parametrize(("field", "value"), [
    ("category", "nope"), ("subcategory", "yacht"), ("aspect_ratio", "7:3"),
    ("model", "not-a-uuid"), ("subcategory", "<script>"),
])
def test_malformed_requests_are_refused_with_a_message(owner_client, owner, trained, field,
                                                      value):
    response = create(owner_client, trained, **{field: value})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert used(owner) == 0


def test_older_trained_versions_get_only_inputs_they_accept(owner_client, owner, trained, fake):
    legacy = fake.add_version("sselfie", trained.replicate_name, schema="fine-tuner-legacy")
    trained.version = f"sselfie/{trained.replicate_name}:{legacy}"
    trained.save()
    create(owner_client, trained)
    gen = run_to_the_end(fake, Generation.objects.get(owner=owner))
    sent = fake.calls("predictions.create")[0].json["input"]
    assert "go_fast" not in sent
    assert gen.state == "succeeded"


def test_more_like_this_reuses_the_prompt_with_a_new_seed(owner_client, owner, trained, fake):
    create(owner_client, trained)
    first = run_to_the_end(fake, Generation.objects.get(owner=owner))
    response = owner_client.post(f"/studio/generations/{first.id}/again/")
    assert response.status_code == 302
    again = Generation.objects.exclude(pk=first.pk).get()
    assert again.prompt == first.prompt and again.seed != first.seed
    assert used(owner) == 8
