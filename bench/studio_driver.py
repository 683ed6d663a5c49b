"""The studio as `make run` starts it, and a browser driving it over HTTP, for benchmarks.

    studio = Studio(fake, var_dir, webhooks=False)   # python -m sselfie.run, own session
    studio.wait_up(120)
    person = Browser(studio, timeout=60)
    sign_up(person, "someone@example.com")            # sign-up and the questionnaire
    upload_selfies(person)                             # consent, 12 selfies, coach ready
    ...
    studio.stop()                                      # as Ctrl-C stops `make run`
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
POLL_SECONDS = 0.1
PASSWORD = "a-long-and-private-passphrase"
SELFIES = 12
# Studio settings the caller's shell may carry; the bench wants `make run`'s defaults.
STUDIO_SETTINGS = re.compile(
    r"^(REPLICATE_|RECONCILE_|S3_|AWS_|EMAIL_|SELFIE_|SECURE_|STRIPE_)|^(PRODUCTION|SECRET_KEY"
    r"|DEBUG|ALLOWED_HOSTS|PUBLIC_URL|DATABASE_URL|REDIS_URL|TASK_STALE_SECONDS|VAR_DIR"
    r"|MEDIA_ROOT|DEFAULT_FROM_EMAIL|GALLERY_UNSAVED_DAYS|EXPORT_LINK_DAYS|TIME_ZONE|LOG_LEVEL"
    r"|PORT|HOST|WEB_WORKERS)$"
)
ACCESS_LINE = re.compile(r'^\S+ - \S+ \[[^\]]+\] "')  # gunicorn's access log
BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]{60,}$")  # images inside the emails it prints
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchError(Exception):
    """The run broke (not a slow result): the message says where."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Studio:
    """`python -m sselfie.run` in its own session, so Ctrl-C reaches only the bench, which
    then stops the studio the way `make run` stops on Ctrl-C."""

    def __init__(self, fake, var: Path, webhooks: bool) -> None:
        self.var = var
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not STUDIO_SETTINGS.match(k)}
        env |= {"VAR_DIR": str(var), "PORT": str(self.port),
                "PUBLIC_URL": self.url if webhooks else "",
                "REPLICATE_API_TOKEN": fake.config.token,
                "REPLICATE_API_BASE_URL": fake.base_url,
                "REPLICATE_TRAINER_VERSION": fake.trainer_version}
        var.mkdir(parents=True, exist_ok=True)
        self.log_path = var / "studio.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115 -- closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "sselfie.run"], cwd=ROOT, env=env,
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_up(self, timeout: float) -> float:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if not self.alive():
                raise BenchError(f"the studio exited with code {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/health/", timeout=2).status_code == 200:
                    return time.monotonic() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise BenchError(f"the studio did not answer /health/ within {timeout:.0f} s")

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=40)  # sselfie.run gives its children 20 s
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the studio's log where errors and tracebacks show: without the
        access log (the bench's polling fills it) and the images of emails printed there."""
        text = self.log_path.read_text(errors="replace").splitlines()
        kept = [line for line in text if not (ACCESS_LINE.match(line) or BASE64_LINE.match(line))]
        return "\n".join(kept[-lines:])


class Browser:
    def __init__(self, studio: Studio, timeout: float) -> None:
        self.studio = studio
        self.timeout = timeout
        self.http = httpx.Client(base_url=studio.url, follow_redirects=True, timeout=120)

    def close(self) -> None:
        self.http.close()

    def page(self, path: str) -> str:
        """A page or fragment; 286 is htmx's "stop polling", which the studio answers once
        a polled fragment has reached its end state."""
        response = self.http.get(path)
        if response.status_code not in (200, 286):
            raise BenchError(f"GET {path} answered {response.status_code}")
        return response.text

    def submit(self, page: str, action: str, data: dict, files: list | None = None,
               expect: int = 200) -> httpx.Response:
        """Post a form the way the browser posts it from ``page``: with that page's token."""
        found = CSRF_FIELD.search(page)
        if not found:
            raise BenchError(f"no CSRF token on the page that posts to {action}")
        response = self.http.post(action, data={"csrfmiddlewaretoken": found.group(1), **data},
                                  files=files)
        if response.status_code != expect:
            raise BenchError(f"POST {action} answered {response.status_code}, not {expect}: "
                             f"{visible_text(response.text)[:400]}")
        return response

    def wait_for(self, what: str, probe, timeout: float):
        """Call ``probe`` every POLL_SECONDS until it returns something; returns that and
        the wall-clock time (time.time(), the fake's clock) of the answer that had it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.studio.alive():
                raise BenchError(f"the studio exited while waiting for {what}")
            found = probe()
            if found:
                return found, time.time()
            time.sleep(POLL_SECONDS)
        raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def sign_up(browser: Browser, email: str) -> None:
    page = browser.page("/accounts/signup/")
    response = browser.submit(page, "/accounts/signup/",
                              {"email": email, "password1": PASSWORD, "password2": PASSWORD})
    if not response.url.path.startswith("/profile/"):
        raise BenchError(f"sign-up ended on {response.url.path}, not the questionnaire")
    response = browser.submit(response.text, "/profile/", {
        "story": "Architect turned wellness coach in Lisbon.",
        "dreams": "A retreat brand people trust.", "goals": "Launch the spring retreat.",
        "style": "natural", "industry": "fitness", "descriptor": "woman"})
    if response.url.path != "/studio/":
        raise BenchError(f"onboarding ended on {response.url.path}: "
                         f"{visible_text(response.text)[:400]}")


def upload_selfies(browser: Browser) -> None:
    from tests.photos import distinct_selfies

    page = browser.page("/selfies/")
    page = browser.submit(page, "/selfies/consent/", {"agree": "yes"}).text
    files = [("photos", (f"selfie-{i:02d}.jpg", data, "image/jpeg"))
             for i, data in enumerate(distinct_selfies(SELFIES + 2)[:SELFIES])]
    browser.submit(page, "/selfies/upload/", {}, files=files, expect=201)
    browser.wait_for("the coach to call the selfies ready to train",
                     lambda: "model-card--ready_to_train" in browser.page("/model/status/"),
                     browser.timeout)
