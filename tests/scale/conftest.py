"""Real services for the scale tests: an S3 server started here, Redis at 127.0.0.1:6379,
and sselfie/settings.py itself (run afresh) to turn environment variables into settings."""

import importlib.util
import os
import runpy
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tests.scale.s3server import S3Server

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "sselfie" / "settings.py"
SCALE_VARS = ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_REGION", "S3_PRESIGN_SECONDS",
              "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "REDIS_URL", "TASK_STALE_SECONDS")
REDIS_URL = "redis://127.0.0.1:6379/0"
KEYS = {"AWS_ACCESS_KEY_ID": "testing-key", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


@pytest.fixture
def load_settings(monkeypatch, tmp_path) -> Callable[[dict[str, str]], dict]:
    """Run sselfie/settings.py with `env` as the scale-out variables; its module globals."""

    def load(env: dict[str, str]) -> dict:
        with monkeypatch.context() as patch:
            for name in (*SCALE_VARS, "PRODUCTION", "DEBUG"):
                patch.delenv(name, raising=False)
            patch.setenv("VAR_DIR", str(tmp_path / "var"))
            for name, value in env.items():
                patch.setenv(name, value)
            return runpy.run_path(str(SETTINGS_FILE))

    return load


# --- S3 -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with S3Server() as server:
        yield server


@dataclass
class Bucket:
    name: str
    endpoint_url: str
    client: object  # a boto3 S3 client with the studio's own keys
    env: dict[str, str]


@pytest.fixture
def s3_media(s3_server, settings, load_settings) -> Bucket:
    """Media in a fresh private bucket, configured exactly as S3_* variables configure it."""
    name = f"studio-media-{uuid.uuid4().hex[:12]}"
    env = {"S3_BUCKET": name, "S3_ENDPOINT_URL": s3_server.endpoint_url,
           "S3_REGION": "us-east-1", **KEYS}
    client = boto3.client("s3", endpoint_url=s3_server.endpoint_url, region_name="us-east-1",
                          aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"])
    client.create_bucket(Bucket=name)
    loaded = load_settings(env)
    settings.STORAGES = {**settings.STORAGES, "default": loaded["STORAGES"]["default"]}
    settings.S3_PRESIGN_SECONDS = loaded["S3_PRESIGN_SECONDS"]
    return Bucket(name, s3_server.endpoint_url, client, env)


# --- Redis ----------------------------------------------------------------------------------


@pytest.fixture
def redis_cache(settings, load_settings) -> Iterator[tuple[object, str]]:
    """The cache in the real Redis, under a key prefix of this test's own.

    Never skipped: a missing Redis (or client package) fails the run with what to do."""
    if importlib.util.find_spec("redis") is None:
        pytest.fail("The redis package is missing, so REDIS_URL cannot work: add `redis` to "
                    "pyproject.toml's dependencies and run `make lock`.")
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        ci = " (CI=true)" if os.environ.get("CI") == "true" else ""
        pytest.fail(f"Redis is not answering at 127.0.0.1:6379{ci}: {exc}. "
                    "Start it, e.g. `redis-server --daemonize yes`.")
    prefix = f"sselfie-test-{uuid.uuid4().hex}"
    cache = dict(load_settings({"REDIS_URL": REDIS_URL})["CACHES"]["default"])
    settings.CACHES = {"default": {**cache, "KEY_PREFIX": prefix}}
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    client.close()
