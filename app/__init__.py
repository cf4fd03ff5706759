"""Jianping (监评): the application factory."""
import os
from pathlib import Path

from flask import Flask, request, session
from flask_login import current_user

from .extensions import babel, csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def select_locale():
    """Explicit choice (session) first, then the user's setting, then Chinese."""
    langs = ["zh_Hans_CN", "en"]
    if request.path.startswith("/api/"):  # token clients say it with Accept-Language
        return "en" if request.accept_languages.best_match(["zh-CN", "zh", "en"]) == "en" else "zh_Hans_CN"
    chosen = session.get("locale")
    if chosen in langs:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in langs:
        return current_user.locale
    return "zh_Hans_CN"


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

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None

    _enable_sqlite_pragmas(app)

    from . import guards
    guards.register(app)  # before the blueprints: their routes use the bounded int converter

    from . import models  # noqa: F401  (import every model so metadata is complete)
    from .engine.clock import install_spiff_clock
    install_spiff_clock()

    from .auth.views import bp as auth_bp
    from .engine.views import bp as engine_bp
    from .complaints.views import bp as complaints_bp
    from .public.views import bp as public_bp
    from .notifications.views import bp as notifications_bp
    from .api import bp as api_bp
    from .agencies.views import bp as agencies_bp
    from .rating.views import bp as rating_bp
    from .stars.views import bp as stars_bp
    from .designer.views import bp as designer_bp, case_bp as case_diagram_bp
    app.register_blueprint(auth_bp)
    app.register_blueprint(engine_bp)
    app.register_blueprint(complaints_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(agencies_bp)
    app.register_blueprint(rating_bp)
    app.register_blueprint(stars_bp)
    app.register_blueprint(designer_bp)
    app.register_blueprint(case_diagram_bp)
    csrf.exempt(api_bp)

    from .engine.cli import engine_cli
    from .demo import demo_cli
    from .stars.cli import stars_cli
    app.cli.add_command(engine_cli)
    app.cli.add_command(stars_cli)
    app.cli.add_command(demo_cli)

    from .errors import register_error_handlers
    register_error_handlers(app)
    from . import templating
    templating.register(app)

    from .engine import registry
    registry.load_domains()

    @app.context_processor
    def inject_globals():
        from .notifications.services import unread_count
        return {
            "unread_notifications": unread_count(current_user) if current_user.is_authenticated else 0,
            "current_locale": str(select_locale()),
        }

    if app.config.get("TIMER_SWEEP_SECONDS") and not app.config.get("TESTING"):
        from .engine.scheduler import start_scheduler
        start_scheduler(app)

    return app


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
