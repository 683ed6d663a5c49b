"""The studio's only settings file.

Every knob is an environment variable, documented in README.md ("Settings").
Defaults give an embedded studio: SQLite in var/, private media in var/media,
the task queue in the database. PRODUCTION=1 switches on the hardened profile
and refuses to start without the settings a public deployment needs.
"""

import importlib.util
import os
import tempfile
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from sselfie.env import env_bool, env_float, env_int, env_list, env_path, env_str, secret_key
from sselfie.logs import REFUSED_REQUESTS

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = env_path("VAR_DIR", BASE_DIR / "var")

PRODUCTION = env_bool("PRODUCTION")
DEBUG = env_bool("DEBUG")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when PRODUCTION=1: unset DEBUG.")
if PRODUCTION and not env_str("SECRET_KEY"):
    raise ImproperlyConfigured("PRODUCTION=1 needs SECRET_KEY: set it to a long random string.")
SECRET_KEY = secret_key(VAR_DIR)

PUBLIC_URL = env_str("PUBLIC_URL").rstrip("/")
if PUBLIC_URL and urlsplit(PUBLIC_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured("PUBLIC_URL must start with http:// or https://.")
if PRODUCTION and not PUBLIC_URL.startswith("https://"):
    raise ImproperlyConfigured("PRODUCTION=1 needs PUBLIC_URL=https://your.domain.")

_default_hosts = ["127.0.0.1", "localhost", "[::1]"]
if PUBLIC_URL:
    _default_hosts.append(urlsplit(PUBLIC_URL).hostname or "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else _default_hosts)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PRODUCTION=1 needs ALLOWED_HOSTS, e.g. ALLOWED_HOSTS=studio.test.")
CSRF_TRUSTED_ORIGINS = [PUBLIC_URL] if PUBLIC_URL else []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "allauth",
    "allauth.account",
    "sselfie.accounts",
    "sselfie.studio",
    "sselfie.selfies",
    "sselfie.training",
    "sselfie.gallery",
    "sselfie.privacy",
    "sselfie.jobs",
    "sselfie.billing",
    "sselfie.public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages are compressed here (static files arrive pre-compressed from WhiteNoise). BREACH:
    # Django pads every compressed response with random bytes and masks the CSRF token per
    # response, and no page reflects attacker-chosen text next to a secret.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view or CSRF check reads the body: oversized requests get 413 unread.
    "sselfie.limits.BodyLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "sselfie.accounts.middleware.OnboardingMiddleware",
]

ROOT_URLCONF = "sselfie.urls"
CSRF_FAILURE_VIEW = "sselfie.public.errors.csrf_failure"
WSGI_APPLICATION = "sselfie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sselfie" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sselfie.billing.context_processors.billing",
                "sselfie.public.context.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE plus a busy
        # timeout makes concurrent writers wait their turn instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests use a file too: parallel connections then behave as in production (an in-memory
    # shared-cache database fails with "table is locked" instead of waiting its turn).
    # One file per test process, so parallel runs never share a database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"sselfie-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits need one shared by every process) -----------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "studio_cache"}}

# --- Background tasks: the database is the queue --------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Accounts ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "workspace"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_REDIRECT_URL = "profile"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300  # deleting or exporting data asks for the password again
ACCOUNT_EMAIL_SUBJECT_PREFIX = "SSELFIE Studio · "
ACCOUNT_ADAPTER = "sselfie.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "sselfie.accounts.forms.LoginForm"}
_verification = env_str("EMAIL_VERIFICATION", "mandatory" if PRODUCTION else "optional")
if _verification not in ("mandatory", "optional", "none"):
    raise ImproperlyConfigured("EMAIL_VERIFICATION must be mandatory, optional or none.")
if PRODUCTION and _verification != "mandatory":
    raise ImproperlyConfigured("PRODUCTION=1 requires EMAIL_VERIFICATION=mandatory (or unset).")
ACCOUNT_EMAIL_VERIFICATION = _verification
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}

# --- Email --------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SSELFIE Studio <studio@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in emails sent without a request (the worker's) when PUBLIC_URL is empty: this
# machine, on the port `make run` serves.
FALLBACK_SITE_URL = f"http://127.0.0.1:{env_int('PORT', 8000, minimum=1)}"
# Shown in the footer, the terms and the emails; by default the sender's own address.
CONTACT_EMAIL = env_str("CONTACT_EMAIL", parseaddr(DEFAULT_FROM_EMAIL)[1] or "studio@localhost")
_email_host = env_str("EMAIL_HOST")
if _email_host:
    _mailer = {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {
        "host": _email_host,
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": 20,
    }}
elif env_str("EMAIL_FILE_PATH"):
    _mailer = {"BACKEND": "django.core.mail.backends.filebased.EmailBackend",
               "OPTIONS": {"file_path": str(env_path("EMAIL_FILE_PATH", VAR_DIR / "mail"))}}
else:
    _mailer = {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
MAILERS = {"default": _mailer}
if PRODUCTION and not _email_host:
    raise ImproperlyConfigured("PRODUCTION=1 needs EMAIL_HOST so people get their emails.")

# --- Static files and private media -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "sselfie" / "static"]
# Files browsers and crawlers ask for at fixed root paths: favicon.ico, apple-touch-icon.png,
# robots.txt.
WHITENOISE_ROOT = BASE_DIR / "sselfie" / "webroot"
MEDIA_ROOT = env_path("MEDIA_ROOT", VAR_DIR / "media")
# No MEDIA_URL is routed: media is served only through owner-checked views.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": MEDIA_ROOT}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Selfies ------------------------------------------------------------------------------------
SELFIE_MAX_BYTES = env_int("SELFIE_MAX_MB", 25, minimum=1) * 1024 * 1024
SELFIE_MIN_COUNT = env_int("SELFIE_MIN_COUNT", 10, minimum=1)
SELFIE_MAX_COUNT = env_int("SELFIE_MAX_COUNT", 15, minimum=SELFIE_MIN_COUNT)
SELFIE_MIN_SHORT_SIDE = env_int("SELFIE_MIN_SHORT_SIDE", 768, minimum=256)
# 0 keeps selfies until the person deletes them; N deletes them N days after upload.
SELFIE_RETENTION_DAYS = env_int("SELFIE_RETENTION_DAYS", 0, minimum=0)
EXPORT_LINK_DAYS = env_int("EXPORT_LINK_DAYS", 7, minimum=1)
# Request bodies (see sselfie/limits.py): form fields up to 2.5 MB are kept in memory, files
# over 2.5 MB go to a temporary file. Every URL caps its body before it is read (upload
# URLs: a whole set of photos), and LimitedUploadHandler caps each photo while it streams.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "sselfie.limits.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Files beyond SELFIE_MAX_COUNT are skipped unread and counted, so the form can say how
# many are allowed; this hard ceiling on file parts only stops abuse of that counting.
DATA_UPLOAD_MAX_NUMBER_FILES = 100
# Gallery: results nobody saved are deleted (rows and files) this many days after creation.
GALLERY_UNSAVED_DAYS = env_int("GALLERY_UNSAVED_DAYS", 30, minimum=1)

# --- Replicate ----------------------------------------------------------------------------------
REPLICATE_API_TOKEN = env_str("REPLICATE_API_TOKEN")
REPLICATE_API_BASE_URL = env_str("REPLICATE_API_BASE_URL", "https://api.replicate.com/v1")
REPLICATE_OWNER = env_str("REPLICATE_OWNER")  # empty: the token's own account
# The trainer, and its pinned version (trained versions' input schemas differ between trainer
# versions). Each trainer gets its own documented inputs (docs/preview.md).
TRAINER_VERSIONS = {
    "ostris/flux-dev-lora-trainer":
        "c6e78d2501e8088876e99ef21e4460d0dc121af7a4b786b9a4c2d75c620e300d",
    # From public training scripts; pin the version you have tested (docs/preview.md).
    "replicate/fast-flux-trainer":
        "8b10794665aed907bb98a1a5324cd1d3a8bea0e9b31e65210967fb9c9e2e08ed",
}
REPLICATE_TRAINER = env_str("REPLICATE_TRAINER", "ostris/flux-dev-lora-trainer")
if REPLICATE_TRAINER not in TRAINER_VERSIONS:
    raise ImproperlyConfigured("Set REPLICATE_TRAINER to " + " or ".join(TRAINER_VERSIONS) + ".")
REPLICATE_TRAINER_VERSION = env_str(
    "REPLICATE_TRAINER_VERSION", f"{REPLICATE_TRAINER}:{TRAINER_VERSIONS[REPLICATE_TRAINER]}")
if not REPLICATE_TRAINER_VERSION.startswith(REPLICATE_TRAINER + ":"):
    raise ImproperlyConfigured(
        f"REPLICATE_TRAINER_VERSION must be a version of REPLICATE_TRAINER ({REPLICATE_TRAINER}:…)"
        "; set both, or only REPLICATE_TRAINER.")
# The instant preview (docs/preview.md): an official identity model makes a few photos from
# the best selfies while the personal model trains.
PREVIEW_ENABLED = env_bool("PREVIEW_ENABLED", True)
PREVIEW_MODEL = env_str("PREVIEW_MODEL", "black-forest-labs/flux-2-pro")
PREVIEW_PHOTOS = env_int("PREVIEW_PHOTOS", 2, minimum=2)
if PREVIEW_PHOTOS > 4:
    raise ImproperlyConfigured("Set PREVIEW_PHOTOS between 2 and 4.")
if PREVIEW_MODEL.count("/") != 1 or ":" in PREVIEW_MODEL:
    raise ImproperlyConfigured("Set PREVIEW_MODEL to an official model's owner/name, without "
                               "a version (e.g. black-forest-labs/flux-2-pro).")
REPLICATE_TRAINING_STEPS = env_int("REPLICATE_TRAINING_STEPS", 1000, minimum=3)
# --- Provider jobs (sselfie/jobs, docs/jobs.md) ------------------------------------------------
# A create turned away (429, 5xx, timeout) is retried by a re-enqueued task after a capped
# exponential backoff from this base (and never sooner than the provider's Retry-After)...
JOBS_RETRY_BASE_SECONDS = env_float("JOBS_RETRY_BASE_SECONDS", 2.0, minimum=0.01)
# ...until this long has passed; then the job fails with a clear message and its quota back.
JOBS_GIVE_UP_SECONDS = env_int("JOBS_GIVE_UP_SECONDS", 900, minimum=10)
# With webhooks on (PUBLIC_URL set), polls are only a safety net, this far apart.
JOBS_WEBHOOK_POLL_SECONDS = env_int("JOBS_WEBHOOK_POLL_SECONDS", 10, minimum=1)
# The reconcile loop: a job nobody has heard of for this long (a lost poll task, a dead
# worker) is claimed and moved on.
RECONCILE_QUIET_SECONDS = env_int("RECONCILE_QUIET_SECONDS", 30, minimum=1)
RECONCILE_INTERVAL_SECONDS = env_int("RECONCILE_INTERVAL_SECONDS", 10, minimum=1)
# A submission silent this long is taken to be dead (its worker crashed) and is resumed;
# longer than any upload plus create retries can take.
RECONCILE_RESUME_SECONDS = env_int("RECONCILE_RESUME_SECONDS", 600, minimum=1)

# --- Billing (Stripe) and the operator's margin ---------------------------------------------------
# Without STRIPE_SECRET_KEY billing is off: plans are assigned in the admin, the pricing page
# has no checkout. docs/billing.md describes the whole flow.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
if urlsplit(STRIPE_API_BASE).scheme not in ("http", "https"):
    raise ImproperlyConfigured("STRIPE_API_BASE must start with http:// or https://.")
if STRIPE_SECRET_KEY and not STRIPE_WEBHOOK_SECRET:
    raise ImproperlyConfigured("STRIPE_SECRET_KEY needs STRIPE_WEBHOOK_SECRET (whsec_…, from the "
                               "webhook endpoint at Stripe) so subscriptions stay in step.")
if PRODUCTION and STRIPE_SECRET_KEY and STRIPE_API_BASE != "https://api.stripe.com":
    raise ImproperlyConfigured("PRODUCTION=1 talks to Stripe itself: unset STRIPE_API_BASE.")
# Stripe's own default: a signed delivery older than this is refused (replays).
STRIPE_WEBHOOK_TOLERANCE_SECONDS = env_int("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300, minimum=1)
# After a failed renewal the paid limits stay this long while Stripe retries the card.
BILLING_GRACE_DAYS = env_int("BILLING_GRACE_DAYS", 7, minimum=0)
# Replicate bills by the second of hardware time (metrics.predict_time). The defaults are
# Replicate's published H100 price, the hardware both the trainer and FLUX LoRA runs use.
REPLICATE_TRAINING_PRICE_PER_SECOND = env_float("REPLICATE_TRAINING_PRICE_PER_SECOND", 0.001525)
REPLICATE_PREDICTION_PRICE_PER_SECOND = env_float("REPLICATE_PREDICTION_PRICE_PER_SECOND",
                                                  0.001525)

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}
if STRIPE_SECRET_KEY:
    # Forms post to us, and we redirect to hosted Checkout or the Portal: form-action must
    # allow exactly those hosts (no card field is ever on our pages).
    if STRIPE_API_BASE == "https://api.stripe.com":
        SECURE_CSP["form-action"] += ["https://checkout.stripe.com", "https://billing.stripe.com"]
    else:  # a stand-in serves its hosted pages from its own origin
        _stripe = urlsplit(STRIPE_API_BASE)
        SECURE_CSP["form-action"].append(f"{_stripe.scheme}://{_stripe.netloc}")
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Scale-out: media in a private S3 bucket, Redis, recovery of dead workers' tasks ----------
# Everything here is off by default; docs/deploy.md says how the pieces fit together.
S3_BUCKET = env_str("S3_BUCKET")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")  # empty: AWS itself; else MinIO, R2, …
S3_REGION = env_str("S3_REGION")
# Presigned media URLs live this long: long enough to load a page, short enough that a
# copied link is soon useless. S3 refuses anything over 7 days.
S3_PRESIGN_SECONDS = env_int("S3_PRESIGN_SECONDS", 300, minimum=1)
if S3_PRESIGN_SECONDS > 604800:
    raise ImproperlyConfigured("Set S3_PRESIGN_SECONDS to at most 604800 (7 days).")
if not S3_BUCKET and (S3_ENDPOINT_URL or S3_REGION):
    raise ImproperlyConfigured("S3_ENDPOINT_URL/S3_REGION are set but S3_BUCKET is not: "
                               "set S3_BUCKET to store media in S3, or unset them.")
if S3_BUCKET:
    _s3_missing = [name for name in ("S3_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
                   if not env_str(name)]
    if _s3_missing:
        raise ImproperlyConfigured(f"S3_BUCKET needs {', '.join(_s3_missing)}: set "
                                   f"{'it' if len(_s3_missing) == 1 else 'them'} too.")
    if S3_ENDPOINT_URL and urlsplit(S3_ENDPOINT_URL).scheme not in ("http", "https"):
        raise ImproperlyConfigured("S3_ENDPOINT_URL must start with http:// or https://.")
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": S3_BUCKET,
        "endpoint_url": S3_ENDPOINT_URL or None,
        "region_name": S3_REGION,
        "access_key": env_str("AWS_ACCESS_KEY_ID"),
        "secret_key": env_str("AWS_SECRET_ACCESS_KEY"),
        # Private: objects inherit the bucket's (private) policy, every URL is signed and
        # short-lived, and a name already taken is never overwritten.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": S3_PRESIGN_SECONDS,
        "file_overwrite": False,
        "signature_version": "s3v4",
        # Other S3 servers are addressed by path; AWS by bucket host name.
        "addressing_style": "path" if S3_ENDPOINT_URL else "virtual",
    }}
    # Owners' <img> requests are redirected to the bucket, so the page must allow its origin.
    if S3_ENDPOINT_URL:
        _parts = urlsplit(S3_ENDPOINT_URL)
        SECURE_CSP["img-src"].append(f"{_parts.scheme}://{_parts.netloc}")
    else:
        SECURE_CSP["img-src"] += [f"https://{S3_BUCKET}.s3.amazonaws.com",
                                  f"https://{S3_BUCKET}.s3.{S3_REGION}.amazonaws.com"]

if REDIS_URL and importlib.util.find_spec("redis") is None:
    raise ImproperlyConfigured("REDIS_URL needs the redis package: install requirements.lock, "
                               "or unset REDIS_URL to keep the cache in the database.")

# Load balancers probe each process directly over plain HTTP: answer them, don't redirect.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]

# A task still RUNNING this long after it started is taken to have lost its worker (killed,
# out of memory) and is put back in the queue by the reconcile loop. Longer than any task
# of ours runs; our tasks claim their rows, so a rerun after a slow one finishes once.
TASK_STALE_SECONDS = env_int("TASK_STALE_SECONDS", 900, minimum=60)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"refused_request": {"()": "sselfie.logs.RefusedRequest"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        # The SDK logs every request at INFO; failures reach us as exceptions.
        "stripe": {"level": "WARNING"},
        # Refused requests (400/413) are warnings, not errors: see sselfie/logs.py.
        **{f"django.security.{name}": {"filters": ["refused_request"]}
           for name in REFUSED_REQUESTS},
    },
}
