"""Configuration classes. ``DATABASE_URL`` selects the database; SQLite is the default."""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("JIANPING_INSTANCE_DIR", BASE_DIR / "instance"))


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Heroku-style URLs and plain postgresql:// use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    # No default: production refuses to start without it; development keeps a random key in
    # instance/secret_key (generated on first run); tests generate one per app.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SECRET_KEY_FROM_INSTANCE = False
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'jianping.sqlite'}")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    WTF_CSRF_TIME_LIMIT = None

    # i18n: Simplified Chinese first, English second.
    BABEL_DEFAULT_LOCALE = "zh_Hans_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ["zh_Hans_CN", "en"]
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")

    # Business time zone: working days and deadlines are counted in it.
    BUSINESS_TIMEZONE = "Asia/Shanghai"
    # Where the working-day calendar looks for years chinesecalendar does not cover:
    # "holidays" (statutory holidays from the `holidays` package, no make-up days) or "weekends".
    WORKING_DAY_FALLBACK = os.environ.get("WORKING_DAY_FALLBACK", "holidays")

    # Uploads: outside the web root, bounded.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 20 * 1024 * 1024))
    UPLOAD_MAX_FILE_BYTES = int(os.environ.get("UPLOAD_MAX_FILE_BYTES", 10 * 1024 * 1024))
    UPLOAD_ALLOWED_EXTENSIONS = {"pdf", "png", "jpg", "jpeg", "txt", "doc", "docx", "xls", "xlsx", "zip"}
    # Uploaded diagrams (designer, deploy): bytes, XML elements and attributes of one file.
    BPMN_MAX_BYTES = int(os.environ.get("BPMN_MAX_BYTES", 2 * 1024 * 1024))
    BPMN_MAX_ELEMENTS = int(os.environ.get("BPMN_MAX_ELEMENTS", 20_000))
    BPMN_MAX_ATTRIBUTES = int(os.environ.get("BPMN_MAX_ATTRIBUTES", 100_000))

    # Complaint rules (投诉、举报及处理).
    COMPLAINT_RESPONSE_WORKING_DAYS = int(os.environ.get("COMPLAINT_RESPONSE_WORKING_DAYS", 10))
    ARBITRATION_PANEL_SIZE = int(os.environ.get("ARBITRATION_PANEL_SIZE", 3))

    # Agencies and rating (评级). "Main project member" needs this many on-site person-days
    # (the seed says only "达到一定要求").
    MAIN_MEMBER_MIN_ON_SITE_DAYS = int(os.environ.get("MAIN_MEMBER_MIN_ON_SITE_DAYS", 10))
    RATING_PANEL_SIZE = int(os.environ.get("RATING_PANEL_SIZE", 3))
    # Defaults of a new cycle (each cycle stores its own): does the publication day count
    # as day 1 of the 10-working-day public notice? Default: no (the day after is day 1).
    RATING_COUNT_PUBLICATION_DAY = os.environ.get("RATING_COUNT_PUBLICATION_DAY", "0") in ("1", "true", "yes")
    # Star rating of cloud enterprises (T11/AII 001-2020).
    # Allow 1→3 and 3→5 star applications (default: one level at a time).
    STAR_ALLOW_SKIPPING = os.environ.get("STAR_ALLOW_SKIPPING", "0") == "1"
    # Days between supervision reviews, counted from the award date (8: at least once a year).
    STAR_SUPERVISION_INTERVAL_DAYS = int(os.environ.get("STAR_SUPERVISION_INTERVAL_DAYS", 365))

    # Wenzhou programme (温州市智能化技改咨询（培训）机构服务购买); see docs/decisions.md.
    # Working days between a training event's filing and the event (neither day counted).
    WENZHOU_FILING_WORKING_DAYS = int(os.environ.get("WENZHOU_FILING_WORKING_DAYS", 10))
    # Agencies tied with the 10th place of the annual evaluation: "include" all, or "exclude" all.
    WENZHOU_TIES_AT_CUTOFF = os.environ.get("WENZHOU_TIES_AT_CUTOFF", "include")
    # Trainee satisfaction rate (percent, inclusive) an event needs for its subsidy.
    WENZHOU_MIN_SATISFACTION = int(os.environ.get("WENZHOU_MIN_SATISFACTION", 80))
    # Years an agency is excluded after verified complaints (3 enterprises, or 3 from one).
    WENZHOU_EXCLUSION_YEARS = int(os.environ.get("WENZHOU_EXCLUSION_YEARS", 3))

    # Timer sweep (APScheduler) interval in seconds; 0 disables the in-process scheduler.
    TIMER_SWEEP_SECONDS = int(os.environ.get("TIMER_SWEEP_SECONDS", 30))
    # Keep parsed process specs in memory (per process). Off: every load parses the diagram
    # afresh, as another worker or a restarted server does (the lifecycle tests run once so).
    ENGINE_SPEC_CACHE = os.environ.get("ENGINE_SPEC_CACHE", "1") not in ("0", "false", "no")
    # Limits of one evaluation of a diagram's script, condition or timer expression (see
    # docs/decisions.md): wall-clock seconds, steps (loop iterations, comprehension items,
    # calls) and the estimated bytes of the large values it builds.
    SCRIPT_TIME_LIMIT = float(os.environ.get("SCRIPT_TIME_LIMIT", 2.0))
    SCRIPT_STEP_LIMIT = int(os.environ.get("SCRIPT_STEP_LIMIT", 5_000_000))
    SCRIPT_MEMORY_LIMIT = int(os.environ.get("SCRIPT_MEMORY_LIMIT", 64 * 1024 * 1024))
    API_TOKEN_HOURS = 12

    # Login throttling (Flask-Limiter): failed logins and token requests per account and per
    # client address. jianping-db:// keeps the counters in the application's database, shared
    # by every worker process and host; memory:// counts per process; redis://host:6379 or
    # memcached://host:11211 work too.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "jianping-db://")
    RATELIMIT_STRATEGY = "fixed-window"
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes")
    PASSWORD_MIN_LENGTH = 10

    # Outgoing mail. MAIL_BACKEND: "smtp" (default when MAIL_SERVER is set), "console" (the log and
    # the outbox page; default without a server) or "memory" (tests). Messages are written to the
    # outbox in the action's transaction and sent after it commits (MAIL_DRAIN: "thread", the
    # default; "inline" in the request after the commit; "scheduler" only), failures retried by
    # the scheduler up to MAIL_MAX_ATTEMPTS times.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") in ("1", "true", "yes")  # STARTTLS
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "0") in ("1", "true", "yes")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 10))
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "jianping@localhost")
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "")
    MAIL_DRAIN = os.environ.get("MAIL_DRAIN", "thread")
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 5))
    # Strict-Transport-Security max-age; sent only when > 0 (production).
    HSTS_SECONDS = 0
    INBOX_PAGE_SIZE = 20


class DevelopmentConfig(Config):
    DEBUG = False
    SECRET_KEY_FROM_INSTANCE = True


class TestConfig(Config):
    RATELIMIT_STORAGE_URI = "memory://"  # per test app; tests that need the shared one ask for it
    TESTING = True
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    WTF_CSRF_ENABLED = True
    TIMER_SWEEP_SECONDS = 0
    MAIL_BACKEND = "memory"
    MAIL_DRAIN = "inline"
    SECRET_KEY = None  # a random key per app (app/__init__.py)


class ProductionConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", 365 * 24 * 3600))

    @classmethod
    def check(cls):
        if not cls.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production (refusing to start without it).")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
