"""Cache and rate-limit state in the real Redis at 127.0.0.1:6379 (REDIS_URL).

allauth keeps its rate-limit history in Django's cache; with several web processes that
cache must be shared, or each process would allow its own full quota of password guesses.
"""

import pytest
from django.core.cache import cache

from conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def test_redis_url_selects_the_redis_cache(redis_cache):
    client, prefix = redis_cache
    cache.set("greeting", "hello", 30)
    assert cache.get("greeting") == "hello"
    # Stored in Redis itself, where every other web process finds it.
    assert client.exists(f"{prefix}:1:greeting") == 1


def test_failed_login_limit_is_kept_in_redis(redis_cache, client, owner):
    redis, prefix = redis_cache
    for _ in range(5):  # ACCOUNT_RATE_LIMITS: 5 failures per 5 minutes per email
        response = client.post(LOGIN, {"login": owner.email, "password": "wrong-password-1"})
        assert response.status_code == 200 and "_auth_user_id" not in client.session
    refused = client.post(LOGIN, {"login": owner.email, "password": PASSWORD})
    assert "Too many failed login attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # The count lives in Redis: wiping its keys there, and nowhere else, lifts the limit.
    keys = list(redis.scan_iter(f"{prefix}:*"))
    assert any(b"login_failed" in key for key in keys), keys
    redis.delete(*keys)
    allowed = client.post(LOGIN, {"login": owner.email, "password": PASSWORD})
    assert allowed.status_code == 302
    assert "_auth_user_id" in client.session
