"""No secret is committed: scan every tracked file for credentials that look real."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PATTERNS = {
    "Replicate API token": re.compile(rb"\br8_[A-Za-z0-9]{30,}"),
    "AWS access key": re.compile(rb"\bAKIA[0-9A-Z]{16}\b"),
    "private key": re.compile(rb"-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----"),
    "Django secret key literal": re.compile(rb"SECRET_KEY\s*=\s*['\"][^'\"]{20,}['\"]"),
    "password in a URL": re.compile(rb"://[^/\s:@]+:[^/\s@]{6,}@(?!example\.|localhost)"),
    "Slack/GitHub token": re.compile(rb"\b(?:xox[abp]-[0-9A-Za-z-]{20,}|ghp_[A-Za-z0-9]{36})"),
}


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",  # noqa: S607
                             "--exclude-standard"], cwd=ROOT, capture_output=True, check=True)
    return [ROOT / name for name in listed.stdout.decode().split("\0") if name]


def test_no_credentials_in_the_repository():
    found = []
    for path in tracked_files():
        if not path.is_file() or path.suffix in {".lock"}:
            continue
        data = path.read_bytes()
        for label, pattern in PATTERNS.items():
            for match in pattern.finditer(data):
                found.append(f"{path.relative_to(ROOT)}: {label}: {match.group()[:24]!r}")
    assert found == []


def test_the_scanner_catches_what_it_looks_for():
    # Assembled at run time so this file doesn't trip its own scan.
    sample = b"SECRET" + b'_KEY = "django-insecure-0123456789abcdefghij"\nr8_' + b"A" * 37
    hits = [label for label, pattern in PATTERNS.items() if pattern.search(sample)]
    assert hits == ["Replicate API token", "Django secret key literal"]


def test_the_generated_secret_key_is_ignored_by_git():
    ignored = subprocess.run(["git", "check-ignore", "var/secret_key"],  # noqa: S607
                             cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0
