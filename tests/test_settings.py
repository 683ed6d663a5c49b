"""Start-up configuration, checked the way an operator meets it: in a fresh process."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "PRODUCTION": "1",
    "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-for-tests-only-123456",
    "ALLOWED_HOSTS": "studio.example.com",
    "PUBLIC_URL": "https://studio.example.com",
    "EMAIL_HOST": "smtp.example.com",
}


def manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"PRODUCTION", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "PUBLIC_URL",
                          "EMAIL_HOST", "EMAIL_VERIFICATION"}}
    full_env = {**clean, "VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env,
        capture_output=True, text=True, timeout=120,
    )


def test_deploy_checks_pass_with_the_documented_production_environment(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV,
                    tmp_path=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_fail_in_the_embedded_default(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={}, tmp_path=tmp_path)
    assert result.returncode != 0


@pytest.mark.parametrize(
    ("drop_or_change", "names"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"PUBLIC_URL": "http://studio.example.com"}, "PUBLIC_URL"),
        ({"EMAIL_HOST": None}, "EMAIL_HOST"),
        ({"DEBUG": "1"}, "DEBUG"),
        ({"EMAIL_VERIFICATION": "none"}, "EMAIL_VERIFICATION"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"SECURE_HSTS_SECONDS": "60"}, "SECURE_HSTS_SECONDS"),
        ({"REPLICATE_TRAINER": "someone/else"}, "REPLICATE_TRAINER"),
        ({"REPLICATE_TRAINER": "replicate/fast-flux-trainer",
          "REPLICATE_TRAINER_VERSION": "ostris/flux-dev-lora-trainer:" + "a" * 64},
         "REPLICATE_TRAINER_VERSION"),
        ({"PREVIEW_PHOTOS": "5"}, "PREVIEW_PHOTOS"),
        ({"PREVIEW_PHOTOS": "1"}, "PREVIEW_PHOTOS"),
        ({"PREVIEW_MODEL": "black-forest-labs/flux-2-pro:abc"}, "PREVIEW_MODEL"),
        ({"PREVIEW_ENABLED": "perhaps"}, "PREVIEW_ENABLED"),
    ],
)
def test_misconfiguration_stops_start_up_naming_what_to_set(tmp_path, drop_or_change, names):
    env = dict(PRODUCTION_ENV)
    for key, value in drop_or_change.items():
        if value is None:
            env.pop(key)
        else:
            env[key] = value
    result = manage("check", env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert names in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    from sselfie.env import secret_key

    first = secret_key(tmp_path)
    assert len(first) >= 50
    assert secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_file_is_never_committed():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "var/" in ignored
