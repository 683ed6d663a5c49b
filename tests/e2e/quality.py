"""Tools for the quality test: Lighthouse from the npm registry, and a same-origin stand-in
that serves error pages with status 200, because Lighthouse refuses to audit a page whose
status is 4xx or 5xx (ERRORED_DOCUMENT_REQUEST)."""

import json
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM_FLAGS, ROOT, chromium_path

# The newest Lighthouse that runs on the Node these machines have (20.x): 13.x needs 22.19+.
LIGHTHOUSE_VERSION = "12.8.2"
LIGHTHOUSE_DIR = ROOT / ".cache" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_cli() -> Path:
    """Lighthouse's CLI, installed from the npm registry into .cache/ on first use."""
    package = LIGHTHOUSE_DIR / "node_modules" / "lighthouse"
    try:
        installed = json.loads((package / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        installed = None
    if installed != LIGHTHOUSE_VERSION:
        npm = shutil.which("npm")
        if not npm or not shutil.which("node"):
            message = "Lighthouse needs Node.js and npm (`sudo apt-get install nodejs npm`)."
            if os.environ.get("CI"):
                pytest.fail("CI must run Lighthouse, but " + message)
            pytest.skip(message)
        subprocess.run([npm, "install", "--prefix", str(LIGHTHOUSE_DIR), "--no-audit",
                        "--no-fund", "--loglevel=error", f"lighthouse@{LIGHTHOUSE_VERSION}"],
                       check=True, timeout=600)
    return package / "cli" / "index.js"


@dataclass(frozen=True)
class Report:
    scores: dict[str, float]
    cls: float
    failing: list[str]  # audits that lost points, for the failure message

    def problems(self, *, minimum: float, seo: bool) -> list[str]:
        found = [f"{name} {score:.2f} < {minimum}" for name, score in self.scores.items()
                 if score < minimum and (seo or name != "seo")]
        if self.cls != 0:
            found.append(f"cumulative layout shift {self.cls:.4f}, not 0")
        return found + (["losing points: " + ", ".join(self.failing)] if found else [])


def run_lighthouse(url: str, out: Path, cookie: str = "") -> Report:
    """One mobile-profile run (Lighthouse's default form factor and throttling)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    flags = " ".join(["--headless=new", *CHROMIUM_FLAGS])
    command = ["node", str(lighthouse_cli()), url, "--quiet", "--output=json",
               f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
               f"--chrome-flags={flags}"]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    for attempt in (1, 2):
        out.unlink(missing_ok=True)
        run = subprocess.run(command, timeout=180, capture_output=True, text=True,
                             env={**os.environ, "CHROME_PATH": chromium_path()})
        report = json.loads(out.read_text()) if out.exists() else {}
        # A trace that failed to record (NO_NAVSTART) on a busy machine is Lighthouse's
        # hiccup, not the page's; it shows as a runtimeError in the report or, as often, as
        # an exit status of 1 and no report. One more try, then it counts.
        error = report.get("runtimeError") or (run.stderr.strip()[-500:] if run.returncode
                                               else None)
        if not error:
            break
        if attempt == 2:
            raise AssertionError(f"Lighthouse could not audit {url}: {error}")
    audits = report["audits"]
    failing = sorted(key for key, audit in audits.items()
                     if audit.get("score") is not None and audit["score"] < 1
                     and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings"))
    return Report({name: report["categories"][name]["score"] for name in CATEGORIES},
                  audits["cumulative-layout-shift"]["numericValue"], failing)


@contextmanager
def standin(studio: str, pages: dict[str, str]) -> Iterator[str]:
    """A server that answers /__page__/<name>/ with the given HTML (status 200) and passes
    every other GET through to the studio, so stylesheets and fonts load as they would."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            name = self.path.removeprefix("/__page__/").rstrip("/")
            if self.path.startswith("/__page__/") and name in pages:
                status, headers, body = 200, {"Content-Type": "text/html; charset=utf-8"}, \
                    pages[name].encode()
            else:
                status, headers, body = self._relay()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _relay(self) -> tuple[int, dict[str, str], bytes]:
            try:
                with urllib.request.urlopen(studio + self.path, timeout=30) as answer:  # noqa: S310
                    status, raw, body = answer.status, answer.headers, answer.read()
            except urllib.error.HTTPError as error:
                status, raw, body = error.code, error.headers, error.read()
            keep = ("Content-Type", "Cache-Control")
            return status, {key: raw[key] for key in keep if raw[key]}, body

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
