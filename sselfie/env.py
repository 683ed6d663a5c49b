"""Typed readers for environment variables.

Every knob of the studio is an environment variable, read here once at start-up.
A bad value stops start-up with a message that names the variable to fix.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"Set {name} to 1/0, true/false, yes/no or on/off (got {raw!r}).")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Set {name} to a whole number (got {raw!r}).") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"Set {name} to at least {minimum} (got {value}).")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"Set {name} to a number (got {raw!r}).") from None
    if value < minimum:
        raise ImproperlyConfigured(f"Set {name} to at least {minimum} (got {value}).")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = env_str(name)
    return Path(raw).expanduser().resolve() if raw else default


def secret_key(var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/."""
    from_env = env_str("SECRET_KEY")
    if from_env:
        if len(from_env) < 50 or len(set(from_env)) < 5:
            raise ImproperlyConfigured(
                "SECRET_KEY is too weak: use at least 50 characters with at least 5 distinct ones."
            )
        return from_env
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        var_dir.mkdir(parents=True, exist_ok=True)
        # Written aside then hard-linked into place: processes starting together
        # (web workers, task worker) all end up reading the same complete key.
        tmp = var_dir / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(get_random_secret_key())
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return key_file.read_text().strip()
