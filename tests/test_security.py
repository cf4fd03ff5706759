"""Secrets, logins, sessions, API tokens, security headers and redirects (issue 8 §4)."""
from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import time
import types
from pathlib import Path
from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

import config
from app import ROOT, create_app
from app.auth import services
from app.auth.models import ApiToken, User
from app.engine.models import AuditEvent, WorkTask
from app.extensions import db
from tests.conftest import PASSWORDS, Browser
from tests.test_api import Api
from tests.test_complaint_lifecycle import file_public_complaint

KNOWN_KEYS = ("dev-only-not-secret", "test-secret", "dev", "secret", "changeme")


def _user(username) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == username))


def _forged_cookie(secret_key: str, payload: dict) -> str:
    forger = Flask("forger")
    forger.secret_key = secret_key
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(payload)


def _client_with_cookie(app, value: str) -> Browser:
    b = Browser(app)
    b.client.set_cookie("session", value)
    return b


def _logged_in(b: Browser) -> bool:
    r = b.get("/inbox")
    return r.status_code == 200


# --- secret key ------------------------------------------------------------------------------

def test_session_signed_with_a_known_key_is_rejected(app):
    assert app.secret_key not in KNOWN_KEYS and len(app.secret_key) >= 32
    admin = _user("admin")
    payload = {"_user_id": admin.get_id(), "_fresh": True}
    for key in KNOWN_KEYS:
        assert not _logged_in(_client_with_cookie(app, _forged_cookie(key, payload))), key
    # The same session signed with the app's own key is accepted (the forgery only lacks the key).
    assert _logged_in(_client_with_cookie(app, _forged_cookie(app.secret_key, payload)))


def test_no_configuration_has_a_literal_secret_key():
    for cls in config.CONFIGS.values():
        assert cls.SECRET_KEY in (None, os.environ.get("SECRET_KEY") or None), cls
    for path in ("config.py", "app/__init__.py", "wsgi.py", "Makefile"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert not re.search(r"SECRET_KEY\s*=\s*['\"]", text), path


def test_each_test_app_has_its_own_random_key(app, tmp_path):
    other = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert other.secret_key != app.secret_key and len(other.secret_key) >= 32


def test_development_generates_the_instance_key_once_and_reuses_it(monkeypatch, tmp_path):
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    monkeypatch.setattr(config.DevelopmentConfig, "SECRET_KEY", None)
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.sqlite'}", "TIMER_SWEEP_SECONDS": 0}
    first = create_app("development", **settings)
    key_file = tmp_path / "secret_key"
    assert key_file.read_text().strip() == first.secret_key and len(first.secret_key) >= 64
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app("development", **settings)
    assert second.secret_key == first.secret_key
    key_file.unlink()
    assert create_app("development", **settings).secret_key != first.secret_key


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.sqlite'}")
    # The real entry point, as a server would load it.
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(JIANPING_CONFIG="production", JIANPING_INSTANCE_DIR=str(tmp_path), TIMER_SWEEP_SECONDS="0")
    run = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode != 0 and "SECRET_KEY must be set" in run.stderr
    assert not (tmp_path / "secret_key").exists()


# --- throttling --------------------------------------------------------------------------------

@pytest.fixture
def limiter_clock(monkeypatch):
    """Moves the clock of Flask-Limiter's in-memory storage (limits reads time.time())."""
    import limits.storage.memory as memory
    offset = [0.0]
    monkeypatch.setattr(memory, "time", types.SimpleNamespace(time=lambda: time.time() + offset[0]))

    def advance(seconds):
        offset[0] += seconds
    return advance


def _attempt(app, username, password, address="10.0.0.1", locale=None):
    b = Browser(app)
    if locale:
        b.post("/language/" + locale, {"next": "/login"}, environ_base={"REMOTE_ADDR": address})
    return b.post("/login", {"username": username, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_failed_logins_per_account_are_throttled_and_reset_with_time(app, limiter_clock):
    for i in range(5):  # from five different addresses: the account's count still grows
        r = _attempt(app, "handler", "wrong password", address=f"10.0.1.{i}")
        assert r.status_code == 200
    r = _attempt(app, "handler", PASSWORDS["handler"], address="10.0.1.99")  # even the right password
    assert r.status_code == 429
    page = r.get_data(as_text=True)
    assert "登录失败次数过多" in page and 'name="username"' in page
    assert int(r.headers["Retry-After"]) > 0
    english = _attempt(app, "handler", "wrong", address="10.0.1.98", locale="en")
    assert english.status_code == 429 and "Too many failed login attempts" in english.get_data(as_text=True)
    # Another account from the same address is not affected; nor is the login page itself.
    assert _attempt(app, "admin", PASSWORDS["admin"], address="10.0.1.99").status_code == 302
    assert Browser(app).get("/login", environ_base={"REMOTE_ADDR": "10.0.1.99"}).status_code == 200
    limiter_clock(16 * 60)
    assert _attempt(app, "handler", PASSWORDS["handler"], address="10.0.1.99").status_code == 302


def test_failed_logins_per_address_are_throttled(app, limiter_clock):
    for i in range(20):
        assert _attempt(app, f"nobody{i}", "guess", address="10.0.2.1").status_code == 200
    assert _attempt(app, "admin", PASSWORDS["admin"], address="10.0.2.1").status_code == 429
    assert _attempt(app, "admin", PASSWORDS["admin"], address="10.0.2.2").status_code == 302
    limiter_clock(16 * 60)
    assert _attempt(app, "admin", PASSWORDS["admin"], address="10.0.2.1").status_code == 302


def test_successful_logins_are_not_counted(app, limiter_clock):
    for _ in range(8):
        assert _attempt(app, "admin", PASSWORDS["admin"]).status_code == 302


def test_token_requests_share_the_account_limit_and_answer_json_429(app, limiter_clock):
    for _ in range(3):
        assert _attempt(app, "expert1", "wrong").status_code == 200
    api = Api(app)
    for _ in range(2):
        assert api.post("/api/v1/tokens", {"username": "expert1", "password": "wrong"}).status_code == 401
    r = api.post("/api/v1/tokens", {"username": "expert1", "password": PASSWORDS["expert1"]})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    error = r.get_json()["error"]
    assert error["status"] == 429 and "登录失败次数过多" in error["message"]
    english = api.request("post", "/api/v1/tokens", json_body={"username": "expert1", "password": "x"},
                          headers={"Accept-Language": "en"})
    assert english.status_code == 429 and "Too many failed login attempts" in english.get_json()["error"]["message"]
    # Missing fields (422) are no password check and do not count for another account.
    for _ in range(6):
        assert api.post("/api/v1/tokens", {"username": "admin"}).status_code == 422
    assert api.post("/api/v1/tokens", {"username": "admin", "password": PASSWORDS["admin"]}).status_code == 201
    limiter_clock(16 * 60)
    assert api.post("/api/v1/tokens", {"username": "expert1", "password": PASSWORDS["expert1"]}).status_code == 201


def test_unknown_user_and_wrong_password_both_check_a_password_hash(app, monkeypatch):
    calls = []
    real = services.check_password_hash

    def spy(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)
    monkeypatch.setattr(services, "check_password_hash", spy)
    assert _attempt(app, "no-such-user", "whatever").status_code == 200
    assert _attempt(app, "admin", "wrong password").status_code == 200
    assert len(calls) == 2
    unknown, known = calls
    assert known == _user("admin").password_hash
    # The dummy is a real hash made the same way (same method and cost), not a shortcut.
    assert unknown != known and unknown.split("$")[0] == known.split("$")[0]


# --- API tokens and password change ------------------------------------------------------------

def _token(app, username, password=None) -> str:
    r = Api(app).post("/api/v1/tokens", {"username": username, "password": password or PASSWORDS[username]})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["token"]


def test_owner_lists_and_revokes_tokens(app):
    first, second = _token(app, "enterprise"), _token(app, "enterprise")
    other = _token(app, "admin")
    me = Api(app, first)
    listed = me.get("/api/v1/tokens").get_json()["items"]
    assert len(listed) == 2 and [t["current"] for t in listed].count(True) == 1
    assert all(set(t) == {"id", "created_at", "expires_at", "current"} for t in listed)
    second_id = next(t["id"] for t in listed if not t["current"])
    admin_token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == _user("admin").id))

    assert me.request("delete", f"/api/v1/tokens/{admin_token_id}").status_code == 404  # not mine
    assert Api(app, other).get("/api/v1/tokens").status_code == 200
    assert me.request("delete", "/api/v1/tokens/999999").status_code == 404
    assert me.request("delete", f"/api/v1/tokens/{second_id}").status_code == 204
    assert Api(app, second).get("/api/v1/tokens").status_code == 401
    assert [t["current"] for t in me.get("/api/v1/tokens").get_json()["items"]] == [True]
    assert Api(app).get("/api/v1/tokens").status_code == 401
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "auth.token_revoked")) is not None


def test_password_change_policy_and_clear_messages(app, browser):
    b = browser("handler")
    assert b.get("/account/password").status_code == 200
    assert browser().get("/account/password").status_code == 302  # logged-in users only
    new = "a-much-longer-password"
    cases = [({"current_password": "wrong", "new_password": new, "confirm": new}, "当前密码错误"),
             ({"current_password": PASSWORDS["handler"], "new_password": "short", "confirm": "short"}, "至少需要 10 个字符"),
             ({"current_password": PASSWORDS["handler"], "new_password": new, "confirm": new + "x"}, "两次输入的新密码不一致")]
    for data, message in cases:
        r = b.post("/account/password", data)
        assert r.status_code == 422 and message in r.get_data(as_text=True), message
    assert services.authenticate("handler", PASSWORDS["handler"]) is not None  # nothing changed


def test_password_change_revokes_tokens_and_other_sessions(app, browser):
    tokens = [_token(app, "handler"), _token(app, "handler")]
    admin_token = _token(app, "admin")
    here, elsewhere = browser("handler"), browser("handler")
    new = "correct horse battery"
    r = here.post("/account/password", {"current_password": PASSWORDS["handler"], "new_password": new,
                                        "confirm": new})
    assert r.status_code == 302
    assert "密码已修改" in here.get(r.headers["Location"]).get_data(as_text=True)
    assert all(Api(app, t).get("/api/v1/tokens").status_code == 401 for t in tokens)
    assert Api(app, admin_token).get("/api/v1/tokens").status_code == 200  # other users keep theirs
    assert _logged_in(here) and not _logged_in(elsewhere)
    assert services.authenticate("handler", PASSWORDS["handler"]) is None
    assert services.authenticate("handler", new) is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "auth.password_changed"))
    assert event.actor_id == _user("handler").id and "2" in event.summary


def test_copied_session_cookie_stops_working_after_logout(app, browser):
    b = browser("admin")
    copy = _client_with_cookie(app, b.client.get_cookie("session").value)
    assert _logged_in(copy)
    assert b.post("/logout").status_code == 302
    assert not _logged_in(copy) and not _logged_in(b)
    # Logging in again gives a new session; the old cookie stays dead.
    b.login("admin")
    assert _logged_in(b) and not _logged_in(copy)


def test_cookie_of_a_session_before_nonces_is_rejected(app):
    admin = _user("admin")
    old_style = _forged_cookie(app.secret_key, {"_user_id": str(admin.id), "_fresh": True})
    assert not _logged_in(_client_with_cookie(app, old_style))


# --- security headers --------------------------------------------------------------------------

def _assert_security_headers(r):
    csp = r.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in directives["script-src"]
    assert directives["style-src"] == "'self'"  # no <style> elements; only attributes (bpmn-js icons)
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_security_headers_on_html_json_static_and_error_responses(app, browser):
    b = browser("admin")
    responses = [b.get("/"), b.get("/inbox"), b.get("/static/app.css"), b.get("/no-such-page"),
                 Api(app).get("/api/v1/openapi.json"), Api(app).get("/api/v1/tasks")]
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 200, 401]
    for r in responses:
        _assert_security_headers(r)
        assert "Strict-Transport-Security" not in r.headers  # not outside production


def test_hsts_only_in_production(monkeypatch, tmp_path):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", os.urandom(32).hex())
    prod = create_app("production", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'p.sqlite'}",
                      TIMER_SWEEP_SECONDS=0)
    r = prod.test_client().get("/static/app.css")
    _assert_security_headers(r)
    assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_have_no_inline_script_or_event_handlers():
    problems = []
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                problems.append(f"{path.name}: {tag}")
        problems += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        problems += [f"{path.name}: javascript:" for _ in re.findall(r"javascript:", text, re.I)]
    assert problems == []


# --- redirects ---------------------------------------------------------------------------------

EVIL = ["//evil.example/", "https://evil.example/", "http:evil.example", "\\\\evil.example", "/\\evil.example",
        "\\/evil.example", "javascript:alert(1)", "/\t/evil.example", " //evil.example"]


def _local_path(r) -> str:
    location = urlparse(r.headers["Location"])
    assert location.netloc in ("", "localhost") and "\\" not in r.headers["Location"]
    return location.path


@pytest.mark.parametrize("target", EVIL)
def test_login_next_does_not_leave_the_site(app, target):
    b = Browser(app)
    r = b.post("/login?" + _query(target), {"username": "admin", "password": PASSWORDS["admin"]})
    assert r.status_code == 302 and _local_path(r) == "/inbox"


def _query(target):
    from urllib.parse import urlencode
    return urlencode({"next": target})


def test_login_next_within_the_site_is_kept(app):
    r = Browser(app).post("/login?next=/complaints/mine%3Fpage%3D2",
                          {"username": "admin", "password": PASSWORDS["admin"]})
    assert r.headers["Location"].endswith("/complaints/mine?page=2")


def test_claim_and_language_next_do_not_leave_the_site(app, browser, orgs):
    _, complaint = file_public_complaint(browser, orgs)
    handler = browser("handler")
    [triage] = db.session.scalars(select(WorkTask).where(WorkTask.case_id == complaint.case_id,
                                                         WorkTask.status == "open")).all()
    r = handler.post(f"/tasks/{triage.id}/claim", {"next": "//evil.example/"})
    assert r.status_code == 302 and _local_path(r) == f"/tasks/{triage.id}"
    handler.post(f"/tasks/{triage.id}/release")
    r = handler.post(f"/tasks/{triage.id}/claim", {"next": "/inbox"})
    assert _local_path(r) == "/inbox"
    for target in EVIL:
        r = handler.post("/language/en", {"next": target})
        assert r.status_code == 302 and _local_path(r) == "/inbox", target


# --- the designer and the case diagram under the CSP (Chromium) ----------------------------------

CSP_LISTENER = """document.addEventListener('securitypolicyviolation', e => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI); });"""


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is not installed")
@pytest.mark.skipif(not (ROOT / "app/static/dist/designer.js").exists(), reason="run `make frontend`")
def test_designer_and_viewer_run_under_the_csp_without_violations(tmp_path):
    from tests.browser_server import build_app, chromium_browser, serve
    from app.engine.models import ProcessDefinition
    live = build_app(tmp_path)
    with live.app_context():
        definition_id = db.session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == "complaint")
                                          .order_by(ProcessDefinition.version.desc()))
    with serve(live) as url, chromium_browser() as chromium:
        context = chromium.new_context(base_url=url)
        context.set_default_timeout(15_000)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto("/login")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORDS["admin"])
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        page.goto("/admin/designer/")
        with page.expect_navigation():
            page.locator("table.versions[data-key=complaint] tr[data-version='1'] button[name=edit]").click()
        page.wait_for_selector("#designer[data-ready=true]")
        page.evaluate("""() => { const m = window.jianpingModeler, r = m.get('elementRegistry');
                                 m.get('selection').select([r.get('triage'), r.get('start')]); }""")
        page.locator(".djs-context-pad .entry[data-action=align-elements]").click()  # SVG icons with styles
        page.wait_for_selector(".djs-popup .entry")
        assert page.evaluate("window.__csp || []") == []
        page.goto(f"/admin/designer/versions/{definition_id}")
        page.wait_for_selector("[data-bpmn-viewer] .djs-element")
        assert page.evaluate("window.__csp || []") == [] and errors == []


# --- the shared throttle store (several worker processes) ----------------------------------------

def test_failed_logins_are_counted_across_worker_processes_in_the_database(tmp_path, monkeypatch):
    """Two apps on one database, as two gunicorn workers: failures in one count in the other,
    and the window ends with the clock."""
    from app.auth import ratelimit_store
    from app.auth.models import RateLimitCounter
    from tests.conftest import build_app
    offset = [0.0]
    monkeypatch.setattr(ratelimit_store, "now", lambda: time.time() + offset[0])
    first = build_app(tmp_path, RATELIMIT_STORAGE_URI="jianping-db://")
    config = {k: first.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "UPLOAD_DIR", "SECRET_KEY")}
    second = create_app("test", RATELIMIT_STORAGE_URI="jianping-db://", **config)
    for i in range(3):
        with first.app_context():
            assert _attempt(first, "handler", "wrong password", address=f"10.0.3.{i}").status_code == 200
    for i in range(2):
        with second.app_context():
            assert _attempt(second, "handler", "wrong password", address=f"10.0.4.{i}").status_code == 200
    with first.app_context():
        assert _attempt(first, "handler", PASSWORDS["handler"], address="10.0.3.9").status_code == 429
        assert db.session.scalar(select(RateLimitCounter.count).where(
            RateLimitCounter.key.contains("account:handler"))) >= 5  # the refused attempt counts too
        db.session.remove()
    offset[0] += 16 * 60
    with second.app_context():
        assert _attempt(second, "handler", PASSWORDS["handler"], address="10.0.4.9").status_code == 302
        assert ratelimit_store.DatabaseStorage().purge_expired() >= 1
        db.session.remove()


def test_the_production_default_is_the_shared_store():
    from config import Config, ProductionConfig
    assert Config.RATELIMIT_STORAGE_URI == ProductionConfig.RATELIMIT_STORAGE_URI == "jianping-db://"
