"""Untrusted diagram code is bounded: every evaluation stops after a time, step and memory
limit; a failing script, condition or timer leaves the case exactly as it was and becomes an
incident that administrators see and retry."""
import logging

import pytest
from sqlalchemy import func, select

from app import ROOT
from app.engine import clock, definitions, doctor, incidents, runtime, scripting
from app.engine.models import AuditEvent, Case, Incident, WorkTask
from app.engine.scripting import RestrictedEnvironment, ScriptError, ScriptLimitExceeded
from app.extensions import db
from tests.conftest import PASSWORDS, at, build_app

COMPLAINT = (ROOT / "bpmn" / "complaint.bpmn").read_text(encoding="utf-8")
AGENCY = "华信两化咨询有限公司"
LOOPING_SCRIPT = COMPLAINT.replace("<bpmn:script>response_due = due_after(str(response_days) + \" working days\")",
                                   "<bpmn:script>while True: pass\nresponse_due = 1")
# the escalation task (created when the response timer fires) with a due date that never ends
LOOPING_DUE = COMPLAINT.replace(
    '<spiffworkflow:property name="formKey" value="complaint.escalation" /><spiffworkflow:property name="dueIn" '
    'value="3 working days" />',
    '<spiffworkflow:property name="formKey" value="complaint.escalation" /><spiffworkflow:property name="dueDate" '
    'value="sum(range(10**12))" />')


@pytest.fixture
def app(tmp_path):
    app = build_app(tmp_path, SCRIPT_TIME_LIMIT=0.2)
    with app.app_context():
        yield app
        db.session.remove()
    clock.travel_to(None)
    scripting.configure({})  # back to the defaults (the limits are module-wide)


@pytest.fixture
def small_limits(monkeypatch):
    monkeypatch.setattr(scripting.LIMITS, "time", 0.2)
    monkeypatch.setattr(scripting.LIMITS, "steps", 5_000_000)
    monkeypatch.setattr(scripting.LIMITS, "memory", 64 * 2 ** 20)


# --- the evaluator on its own -----------------------------------------------------------------

EXPRESSIONS = [
    "'a'*10**10", "[0]*10**10", "10**10**10", "2<<10**10", "'x'.ljust(10**10)", "'x'.zfill(10**10)",
    "'x'.center(10**10, '-')", "str.ljust('x', 10**10)", "str.join('', ('x' for i in range(10**12)))", "sum(range(10**12))", "list(range(10**10))", "sorted(range(10**9))",
    "set(range(10**10))", "max(range(10**12))", "[i*j for i in range(10**5) for j in range(10**5)]",
    "{i: j for i in range(10**5) for j in range(10**5)}", "[*range(10**10)]", "f'{1:>9999999999}'",
    "f'{1:>{10**10}}'", "'%9999999999d' % 1", "'%*d' % (10**10, 1)", "bytes(10**10)", "pow(10, 10**10)",
    "round(5, -10**9)", "(10).to_bytes(10**10, 'big')", "1.5 in range(10**12)", "str([['x'*4000]*1000]*1000)",
    "','.join(['x'*4000]*100000)", "('x'*10**6).replace('', 'y'*1000)", "dict.fromkeys(range(10**10))",
    "any(x < 0 for x in range(10**12))", "(lambda f: f(f))(lambda f: f(f))",
    "(lambda f: f(f, 40))(lambda f, n: n and f(f, n-1) + f(f, n-1))",
]

SCRIPTS = [
    "while True: pass",
    "x = 'a'\nfor i in range(100): x = x + x",
    "x = 's'\nwhile True:\n    x += x",
    "x = 2\nfor i in range(100): x = x * x",
    "l = [1]\nfor i in range(100): l.extend(l)",
    "out = []\nfor i in range(10**9): out.append('a' * 1000)",
    "def f(n):\n    return f(n + 1)\nf(0)",
    "def g():\n    while True:\n        yield 1\nsum(g())",
    "a, *b = range(10**10)",
    # the limit error cannot be swallowed
    "try:\n    while True: pass\nexcept BaseException:\n    pass\ndone = 1",
    "while True:\n    try:\n        while True: pass\n    except BaseException:\n        pass",
    "def f():\n    try:\n        while True: pass\n    finally:\n        return 1\nf()",
]


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_adversarial_expressions_are_stopped(small_limits, source):
    with pytest.raises(ScriptLimitExceeded) as exc:
        RestrictedEnvironment().evaluate(source, {})
    assert isinstance(exc.value, ScriptError)


@pytest.mark.parametrize("source", SCRIPTS)
def test_adversarial_scripts_are_stopped(small_limits, source):
    data = {"a": 1}
    with pytest.raises(ScriptLimitExceeded):
        RestrictedEnvironment().execute(source, data)
    assert data == {"a": 1}  # nothing of the stopped script reaches the task data


def test_str_format_stays_refused(small_limits):
    with pytest.raises(NotImplementedError):
        RestrictedEnvironment().evaluate("'{:>9999999999}'.format(1)", {})


def test_ordinary_code_still_works(small_limits):
    env = RestrictedEnvironment()
    assert env.evaluate('arbitration_result in ("upheld", "partly_upheld")', {"arbitration_result": "upheld"})
    assert env.evaluate("isinstance(x, str) and isinstance(n, int) and str(n) + ' days' == '10 days'",
                        {"x": "a", "n": 10})
    data = {"closing": {"panel": [3, 1, 2], "spot_check": True}, "scores": {"a": 80, "b": 91}}
    env.execute('panel = closing["panel"]\npanel_chair = panel[0]\nnames = [str(p) for p in panel]\n'
                'label = f"{len(panel):>3}|{panel!r}"\nordered = sorted(panel, key=lambda p: -p)\n'
                'joined = ",".join(names)\ntotal = sum(scores.values())\nbest = max(scores, key=scores.get)\n'
                'text = "%s-%03d" % ("n", 7)\nbig = 2 ** 200 * 3\nwide = "x".ljust(5, ".")\n'
                'n = 0\nwhile n < 10000:\n    n += 1\n', data)
    assert data["panel_chair"] == 3 and data["names"] == ["3", "1", "2"] and data["label"] == "  3|[3, 1, 2]"
    assert data["ordered"] == [3, 2, 1] and data["joined"] == "3,1,2" and data["total"] == 171
    assert data["best"] == "b" and data["text"] == "n-007" and data["big"] == 3 * 2 ** 200
    assert data["wide"] == "x...." and data["n"] == 10000


def test_step_budget_is_a_limit_of_its_own(monkeypatch):
    monkeypatch.setattr(scripting.LIMITS, "time", 60.0)
    monkeypatch.setattr(scripting.LIMITS, "steps", 10_000)
    with pytest.raises(ScriptLimitExceeded) as exc:
        RestrictedEnvironment().execute("n = 0\nwhile True:\n    n += 1", {})
    assert exc.value.reason == "steps"
    RestrictedEnvironment().execute("n = 0\nfor i in range(5000):\n    n += i", {})


def test_the_evaluations_of_one_action_share_the_time_limit(monkeypatch):
    monkeypatch.setattr(scripting.LIMITS, "time", 60.0)
    with scripting.action_scope():
        with scripting.action_scope():  # nested: the outer action's time counts
            token = scripting._ACTION_DEADLINE.set(0.0)  # as if earlier evaluations used it all
            with pytest.raises(ScriptLimitExceeded) as exc:
                RestrictedEnvironment().execute("for i in range(5000):\n    pass", {})
            assert exc.value.reason == "time"
            scripting._ACTION_DEADLINE.reset(token)
    assert scripting._ACTION_DEADLINE.get() is None
    RestrictedEnvironment().execute("for i in range(5000):\n    pass", {})


# --- a looping script reached by a user's completion ------------------------------------------

def _file(browser, orgs, as_user=None):
    b = browser(as_user) if as_user else browser()
    r = b.post("/complaints/new", {"kind": "complaint", "agency_id": orgs[AGENCY].id,
                                   "category": "false_disclosure", "facts": "The agency lists consultants.",
                                   "complainant_name": "王先生", "complainant_contact": "13800000000"})
    assert r.status_code == 303, r.get_data(as_text=True)[:800]
    db.session.expire_all()
    return db.session.scalar(select(Case).order_by(Case.id.desc()).limit(1))


def _open(case_id, spec_name=None):
    db.session.expire_all()
    q = select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.status == "open")
    if spec_name:
        q = q.where(WorkTask.spec_name == spec_name)
    return db.session.scalars(q).all()


def _snapshot(case_id):
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    tasks = [(t.id, t.status, t.assignee_id, t.completed_at) for t in
             db.session.scalars(select(WorkTask).where(WorkTask.case_id == case_id).order_by(WorkTask.id))]
    events = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == case_id,
                                                              ~AuditEvent.kind.startswith("incident."))).all()
    return case.version, case.state, case.status, case.next_timer_at, tasks, sorted(events)


def test_looping_script_after_a_completion_changes_nothing_and_records_an_incident(app, browser, orgs):
    definitions.deploy(LOOPING_SCRIPT, source="complaint.bpmn", comment="a loop")
    db.session.commit()
    case = _file(browser, orgs)
    [triage] = _open(case.id, "triage")
    before = _snapshot(case.id)
    handler = browser("handler")
    r = handler.post(f"/tasks/{triage.id}", {"triage_decision": "accept", "triage_reason": "证据充分，予以受理"})
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert 'class="flash error"' in page and "计算回应期限" in page
    assert "证据充分，予以受理" in page  # what the user typed is kept
    assert _snapshot(case.id) == before
    [incident] = db.session.scalars(select(Incident).where(Incident.case_id == case.id)).all()
    assert (incident.kind, incident.element_id, incident.origin) == ("script", "set_deadline", "task")
    assert incident.limit_exceeded and "0.2 s" in incident.message and incident.resolved_at is None

    # the same failure again counts on the open incident; the API says 409 in JSON
    from tests.test_api import Api
    api = Api(app)
    api.token = api.post("/api/v1/tokens", {"username": "handler", "password": PASSWORDS["handler"]}).get_json()["token"]
    r = api.post(f"/api/v1/tasks/{triage.id}/complete", {"triage_decision": "accept"})
    assert r.status_code == 409 and r.is_json
    assert "计算回应期限" in r.get_json()["error"]["message"] or "set_deadline" in r.get_json()["error"]["message"]
    assert _snapshot(case.id) == before
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).failures == 2
    assert db.session.scalar(select(func.count(Incident.id))) == 1


def test_other_cases_are_not_held_by_a_failing_one(app, browser, orgs, users):
    good = _file(browser, orgs)
    definitions.deploy(LOOPING_SCRIPT, source="complaint.bpmn", comment="a loop")
    db.session.commit()
    bad = _file(browser, orgs)
    with pytest.raises(incidents.ProcessFailure):
        runtime.complete_task(_open(bad.id, "triage")[0].id, users["handler"], payload={"triage_decision": "accept"})
    runtime.complete_task(_open(good.id, "triage")[0].id, users["handler"], payload={"triage_decision": "accept"})
    assert [t.spec_name for t in _open(good.id)] == ["agency_response"]
    assert [t.spec_name for t in _open(bad.id)] == ["triage"]


# --- the timer sweep --------------------------------------------------------------------------

def _accepted(browser, orgs, users):
    case = _file(browser, orgs)
    runtime.complete_task(_open(case.id, "triage")[0].id, users["handler"], payload={"triage_decision": "accept"})
    return case.id


def test_sweep_fires_good_cases_records_the_bad_one_and_retry_resolves_it(app, browser, orgs, users, caplog,
                                                                         monkeypatch):
    for name in ("app.engine.runtime", "app.engine.incidents"):  # Alembic's fileConfig may have disabled them
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)
    clock.travel_to(at("2026-11-02T09:00"))
    good = _accepted(browser, orgs, users)
    v2, _ = definitions.deploy(LOOPING_DUE, source="complaint.bpmn", comment="a loop in the escalation")
    db.session.commit()
    bad = _accepted(browser, orgs, users)
    before = _snapshot(bad)
    caplog.set_level(logging.INFO)
    assert runtime.sweep_timers(at("2026-11-17T00:00:01")) == 1
    assert [t.spec_name for t in _open(good)] == ["escalation"]
    assert _snapshot(bad) == before
    [incident] = db.session.scalars(select(Incident)).all()
    assert (incident.case_id, incident.kind, incident.element_id, incident.origin) == (
        bad, "expression", "escalation", "timer_sweep")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(r.levelno == logging.WARNING and f"incident {incident.id}" in r.getMessage() for r in caplog.records)

    # the open incident holds the case's timers: later sweeps leave it alone
    loaded = []
    original = runtime.load_workflow
    runtime.load_workflow = lambda case: loaded.append(case.id) or original(case)
    try:
        assert runtime.sweep_timers(at("2026-11-18T09:00")) == 0
    finally:
        runtime.load_workflow = original
    assert loaded == []
    assert db.session.get(Incident, incident.id).failures == 1

    # retry before the fix (now, when the timer is due): fails again, stays open, the retry counted
    clock.travel_to(at("2026-11-18T09:00"))
    admin = browser("admin")
    page = admin.get(f"/cases/{bad}").get_data(as_text=True)
    assert 'id="incidents"' in page and "sum(range(10**12))" in page
    assert f"/admin/incidents/{incident.id}/retry" in page
    r = admin.post(f"/admin/incidents/{incident.id}/retry", {})
    assert r.status_code == 302
    db.session.expire_all()
    incident = db.session.get(Incident, incident.id)
    assert incident.resolved_at is None and incident.retried == 1
    assert _snapshot(bad)[0] == before[0]

    # fix: deploy the repaired diagram, migrate the case, retry
    from app.designer import services as designer
    v3, created = definitions.deploy(COMPLAINT, source="complaint.bpmn", comment="fixed")
    db.session.commit()
    assert created
    report = designer.migrate(users["admin"], v2.id, v3.id, [bad])
    assert report.migrated == [bad], report.skipped
    r = admin.post(f"/admin/incidents/{incident.id}/retry", {"next": f"/cases/{bad}"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/cases/{bad}")
    db.session.expire_all()
    incident = db.session.get(Incident, incident.id)
    assert incident.resolved_at is not None and incident.resolved_by_id == users["admin"].id
    assert incident.retried == 2
    assert [t.spec_name for t in _open(bad)] == ["escalation"]
    kinds = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.case_id == bad)).all()
    assert {"incident.opened", "incident.retry_failed", "incident.resolved", "timer.fired"} <= set(kinds)
    assert incidents.open_incidents(users["admin"]) == []
    assert incidents.recently_resolved(users["admin"]) == [incident]


def test_a_retry_that_runs_through_resolves_and_cannot_be_repeated(app, browser, orgs, users):
    definitions.deploy(LOOPING_SCRIPT, source="complaint.bpmn", comment="a loop")
    db.session.commit()
    case = _file(browser, orgs)
    triage = _open(case.id, "triage")[0]
    with pytest.raises(incidents.ProcessFailure):
        runtime.complete_task(triage.id, users["handler"], payload={"triage_decision": "accept"})
    [incident] = db.session.scalars(select(Incident)).all()
    # the case still waits at triage (nothing was saved): its engine steps run through
    doctor.retry_incident(incident.id, users["admin"])
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).resolved_at is not None
    with pytest.raises(runtime.Conflict):
        doctor.retry_incident(incident.id, users["admin"])


# --- who sees incidents -----------------------------------------------------------------------

def test_only_administrators_list_and_retry_incidents_staff_see_them_on_the_case(app, browser, orgs, users):
    definitions.deploy(LOOPING_SCRIPT, source="complaint.bpmn", comment="a loop")
    db.session.commit()
    case = _file(browser, orgs, as_user="enterprise")
    with pytest.raises(incidents.ProcessFailure):
        runtime.complete_task(_open(case.id, "triage")[0].id, users["handler"], payload={"triage_decision": "accept"})
    [incident] = db.session.scalars(select(Incident)).all()

    admin = browser("admin")
    listing = admin.get("/admin/incidents")
    assert listing.status_code == 200 and "set_deadline" in listing.get_data(as_text=True)
    assert 'href="/admin/incidents"' in listing.get_data(as_text=True)  # linked from the admin navigation

    handler = browser("handler")
    assert handler.get("/admin/incidents").status_code == 403
    assert handler.post(f"/admin/incidents/{incident.id}/retry", {}).status_code == 403
    page = handler.get(f"/cases/{case.id}").get_data(as_text=True)
    assert 'id="incidents"' in page and "set_deadline" in page and 'href="/admin/incidents"' not in page
    assert f"/admin/incidents/{incident.id}/retry" not in page

    enterprise = browser("enterprise")  # who filed the complaint and follows its case
    page = enterprise.get(f"/cases/{case.id}")
    assert page.status_code == 200
    assert 'id="incidents"' not in page.get_data(as_text=True) and "set_deadline" not in page.get_data(as_text=True)
    assert enterprise.get("/admin/incidents").status_code == 403
    assert enterprise.post(f"/admin/incidents/{incident.id}/retry", {}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).retried == 0

    # without the CSRF token the retry is refused
    raw = app.test_client()
    raw.post("/login", data={"username": "admin", "password": PASSWORDS["admin"]})
    assert raw.post(f"/admin/incidents/{incident.id}/retry").status_code == 400
    db.session.expire_all()
    assert db.session.get(Incident, incident.id).retried == 0


def test_incident_events_stay_off_the_timeline_of_non_staff(app, browser, orgs, users):
    from app.engine import audit
    definitions.deploy(LOOPING_SCRIPT, source="complaint.bpmn", comment="a loop")
    db.session.commit()
    case = _file(browser, orgs)
    with pytest.raises(incidents.ProcessFailure):
        runtime.complete_task(_open(case.id, "triage")[0].id, users["handler"], payload={"triage_decision": "accept"})
    kinds = [e.kind for e in audit.timeline(case.id)]
    assert "incident.opened" in kinds
    assert "incident.opened" not in [e.kind for e in audit.timeline(case.id, internal=False)]
