import pytest


@pytest.mark.django_db
def test_health_reports_database_and_storage(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "storage": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_fails_when_storage_is_unusable(client, settings, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": blocker / "media"}}}
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error")
