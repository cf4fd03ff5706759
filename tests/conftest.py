"""Test fixtures: a fresh database per test (SQLite file by default, PostgreSQL when
DATABASE_URL points to one), demo users, and HTTP clients that log in and post forms
with their CSRF token like a browser."""
from __future__ import annotations

import contextvars
import os
import re
import tempfile
from datetime import datetime, timezone

import pytest
from sqlalchemy import text

from app import create_app
from app.engine import clock
from app.extensions import db

PASSWORDS = {}
FRESH_SPECS = False  # --fresh-specs: every load parses its diagram afresh (ENGINE_SPEC_CACHE off)


def pytest_addoption(parser):
    parser.addoption("--fresh-specs", action="store_true",
                     help="parse every diagram afresh at every load, as a second worker or a restarted server does")


def pytest_configure(config):
    global FRESH_SPECS
    FRESH_SPECS = config.getoption("--fresh-specs")


def build_app(tmp_path, **config):
    """A test app on a fresh database (a SQLite file in ``tmp_path``, or the PostgreSQL
    database of DATABASE_URL, reset) with the BPMN deployed and the demo users loaded."""
    overrides = {"UPLOAD_DIR": str(tmp_path / "uploads"), **config}
    if FRESH_SPECS:
        overrides.setdefault("ENGINE_SPEC_CACHE", False)
    if not os.environ.get("DATABASE_URL"):
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", f"sqlite:///{tmp_path / 'test.sqlite'}")
    app = create_app("test", **overrides)
    from app.engine.deadlines import invalidate_calendar
    invalidate_calendar()  # the override cache is per process; each test has its own database
    with app.app_context():
        if os.environ.get("DATABASE_URL"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        db.create_all()
        from app.engine import definitions
        from app import ROOT
        definitions.deploy_directory(ROOT / "bpmn")
        db.session.commit()
        from app.demo import load_demo
        for username, password, _role in load_demo():
            PASSWORDS[username] = password
        db.session.remove()
    return app


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path)
    with app.app_context():
        yield app
        db.session.remove()
    clock.travel_to(None)
    from app.engine.deadlines import invalidate_calendar
    invalidate_calendar()


class Browser:
    """A test client that behaves like a logged-in browser: it reads the CSRF token
    from pages and sends it with every post."""

    def __init__(self, app):
        self.client = app.test_client()
        self._token = None

    def token(self):
        if self._token is None:
            page = self.get("/login").get_data(as_text=True)
            self._token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        return self._token

    @staticmethod
    def _isolated(fn, *args, **kw):
        # Run the request in an empty context so it pushes its own app context (own
        # session, own g) like a real server, not the test's.
        response = contextvars.Context().run(fn, *args, **kw)
        db.session.expire_all()
        return response

    def get(self, url, **kw):
        return self._isolated(self.client.get, url, **kw)

    def post(self, url, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self._isolated(self.client.post, url, data=data, **kw)

    def login(self, username):
        r = self.post("/login", {"username": username, "password": PASSWORDS[username]})
        assert r.status_code == 302, r.get_data(as_text=True).split("<main>")[-1][:800]
        return self


@pytest.fixture
def browser(app):
    def make(username=None):
        b = Browser(app)
        return b.login(username) if username else b
    return make


@pytest.fixture
def users(app):
    from app.auth.models import User
    return {u.username: u for u in db.session.scalars(db.select(User))}


@pytest.fixture
def orgs(app):
    from app.auth.models import Organisation
    return {o.name: o for o in db.session.scalars(db.select(Organisation))}


def at(iso: str) -> datetime:
    """An aware time from an ISO string; naive strings are Beijing time."""
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        from zoneinfo import ZoneInfo
        moment = moment.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return moment.astimezone(timezone.utc)
