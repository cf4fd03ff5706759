"""Jianping (监评): the application factory."""
import importlib
import os
import secrets
from pathlib import Path

from flask import Flask, current_app, request, session
from flask_login import current_user

from .auth.permissions import is_signed_in
from .extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def select_locale():
    """Explicit choice (session) first, then the user's setting, then the default (Chinese)."""
    langs = current_app.config["LANGUAGES"]
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/"):  # token clients say it with Accept-Language
        return "en" if request.accept_languages.best_match(["zh-CN", "zh", "en"]) == "en" else default
    chosen = session.get("locale")
    if chosen in langs:
        return chosen
    if is_signed_in(current_user) and current_user.locale in langs:
        return current_user.locale
    return default


def create_app(config_name: str | None = None, **overrides) -> Flask:
    from config import CONFIGS, INSTANCE_DIR

    config_name = config_name or os.environ.get("JIANPING_CONFIG", "development")
    config_cls = CONFIGS[config_name]
    if hasattr(config_cls, "check"):
        config_cls.check()

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "app" / "static"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.from_object(config_cls)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _secret_key(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    from .auth import ratelimit_store  # noqa: F401  (registers the jianping-db:// storage scheme)
    limiter.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    _enable_sqlite_pragmas(app)

    from .engine import guards
    guards.register(app)  # before the blueprints: their routes use the bounded int converter

    from . import models  # noqa: F401  (import every model so metadata is complete)
    from .engine.clock import install_spiff_clock
    install_spiff_clock()
    from .engine.scripting import configure as configure_scripts
    configure_scripts(app.config)  # the limits of every script evaluation

    register_packages(app)
    from .demo import demo_cli
    app.cli.add_command(demo_cli)

    from .errors import register_error_handlers
    register_error_handlers(app)
    from . import templating
    templating.register(app)
    from . import security
    security.register(app)

    @app.context_processor
    def inject_globals():
        return {"current_locale": str(select_locale())}

    if app.config.get("TIMER_SWEEP_SECONDS") and not app.config.get("TESTING"):
        from .engine.scheduler import start_scheduler
        start_scheduler(app)

    return app


def package_names() -> list[str]:
    """The packages of app/ that plug in: every one with a ``hooks.py``, by name; the engine
    first, the API last (domains add their JSON routes to its blueprint before it is registered)."""
    found = sorted(p.parent.name for p in (ROOT / "app").glob("*/hooks.py"))
    return sorted(found, key=lambda name: (name != "engine", name == "api"))


def register_packages(app) -> None:
    """Call ``register(app)`` of every package's ``hooks.py``: its blueprints, commands,
    task forms and event subscriptions. A new domain needs no edit here."""
    for name in package_names():
        importlib.import_module(f"{__name__}.{name}.hooks").register(app)


def _secret_key(app) -> None:
    """SECRET_KEY from the environment or configuration; else, in development, the random key
    kept in the instance folder (written on first start, reused afterwards); in tests a random
    key per app. There is no default key: without one the app refuses to start."""
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("SECRET_KEY_FROM_INSTANCE"):
        path = Path(app.config.get("SECRET_KEY_FILE") or Path(app.instance_path) / "secret_key")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            key = path.read_text(encoding="ascii").strip()
        else:
            key = secrets.token_hex(32)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(key + "\n")
        if len(key) < 32:
            raise RuntimeError(f"{path} holds no usable secret key; delete it to have a new one generated.")
        app.config["SECRET_KEY"] = key
    elif app.config.get("TESTING"):
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    else:
        raise RuntimeError("SECRET_KEY must be set (refusing to start without it).")


def _enable_sqlite_pragmas(app):
    from sqlalchemy import event

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    with app.app_context():
        engine = db.engine

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            if app.config["SQLALCHEMY_DATABASE_URI"] != "sqlite://":
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
