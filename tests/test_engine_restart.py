"""Cases survive a restart and a second worker: state written by one process is loaded
by another that parsed the diagram afresh (the spec cache cleared or off)."""
from pathlib import Path

import pytest
from sqlalchemy import select
from wtforms import StringField

from app.engine import definitions, registry, runtime
from app.engine.forms import TaskForm
from app.engine.models import Case, WorkTask
from app.extensions import db

pytestmark = pytest.mark.lifecycle

PROBE = (Path(__file__).parent / "data" / "loops_probe.bpmn").read_text(encoding="utf-8")


@registry.task_form("probe.ack", title="acknowledge")
class AckForm(TaskForm):
    note = StringField("note")


def open_tasks(case_id):
    db.session.expire_all()
    return db.session.scalars(select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.status == "open")
                              .order_by(WorkTask.id)).all()


def restart():
    """What a new worker process has: no parsed spec in memory."""
    definitions.clear_spec_cache()
    db.session.expire_all()


@pytest.mark.parametrize("cache", [True, False], ids=["restart-between-steps", "cache-off"])
def test_every_loop_kind_completes_when_each_step_is_loaded_afresh(app, users, cache):
    app.config["ENGINE_SPEC_CACHE"] = cache
    definitions.deploy(PROBE, source="loops_probe.bpmn")
    db.session.commit()
    case = runtime.start_case("loops_probe", data={"people": ["a", "b", "c"]}, title="loops")
    admin = users["admin"]
    seen = []
    for _ in range(40):
        tasks = open_tasks(case.id)
        if not tasks:
            break
        restart()
        seen.append(tasks[0].spec_name)
        runtime.complete_task(tasks[0].id, admin, payload={"note": "ok"})
    restart()
    case = db.session.get(Case, case.id)
    assert case.status == "completed", (case.status, seen)
    # 3 parallel + 2 sequential + 2 loop iterations + 3 in the sub-process + 2 x 2 in the called process
    assert [seen.count(n) for n in ("parallel_mi [child]", "sequential_mi [child]", "standard_loop [child]",
                                    "sub_mi [child]", "c_task [child]")] == [3, 2, 2, 3, 4]


def complaint_at_arbitration(browser, orgs):
    """A public complaint the agency disputes and mediation did not settle: its panel is open."""
    from tests.test_complaint_lifecycle import complete, file_public_complaint, open_task
    _, complaint = file_public_complaint(browser, orgs)
    handler = browser("handler")
    [triage] = open_task(complaint.case_id, "triage")
    complete(handler, triage, {"triage_decision": "accept"})
    [response] = open_task(complaint.case_id, "agency_response")
    complete(browser("agency"), response, {"response_text": "We dispute this complaint entirely, see evidence."})
    [mediation] = open_task(complaint.case_id, "mediation")
    complete(handler, mediation, {"mediation_outcome": "failed", "mediation_summary": "双方无法达成一致"})
    return complaint


def test_arbitration_panel_survives_a_restart_between_each_opinion(app, browser, orgs, users):
    from tests.test_complaint_lifecycle import complete, open_task
    complaint = complaint_at_arbitration(browser, orgs)
    opinions = open_task(complaint.case_id, "arbitration_opinion [child]")
    assert len(opinions) == 3
    by_id = {u.id: u.username for u in users.values()}
    for t in opinions:
        restart()
        complete(browser(by_id[t.assignee_id]), t, {"opinion": "upheld", "opinion_reasons": "证据充分"})
    restart()
    [decision] = open_task(complaint.case_id, "arbitration_decision")
    assert db.session.get(Case, complaint.case_id).status == "running"


def make_stuck_panel(browser, orgs, users, monkeypatch):
    """A panel whose opinions were recorded by an engine without the spec links (as
    before the fix): after the last opinion the case waits for nothing."""
    from app.engine import serializer
    from tests.test_complaint_lifecycle import complete, open_task
    complaint = complaint_at_arbitration(browser, orgs)
    by_id = {u.id: u.username for u in users.values()}
    with monkeypatch.context() as m:
        m.setattr(serializer, "link_specs", lambda spec, subs: None)
        for t in open_task(complaint.case_id, "arbitration_opinion [child]"):
            restart()
            complete(browser(by_id[t.assignee_id]), t, {"opinion": "upheld", "opinion_reasons": "证据充分"})
    restart()
    assert open_tasks(complaint.case_id) == []
    return complaint


def test_doctor_lists_a_stuck_case_and_rerunning_opens_the_decision(app, browser, orgs, users, monkeypatch):
    from app.engine import doctor
    from tests.test_complaint_lifecycle import open_task
    complaint = make_stuck_panel(browser, orgs, users, monkeypatch)
    definitions.deploy(PROBE)
    db.session.commit()
    healthy = runtime.start_case("loops_probe", data={"people": ["a"]}, title="healthy")
    stuck = doctor.stuck_cases()
    assert [s.id for s in stuck] == [complaint.case_id]  # the healthy case waits on a task: not listed
    assert healthy.id not in [s.id for s in stuck]

    runner = app.test_cli_runner()
    out = runner.invoke(args=["engine", "doctor"]).output
    assert f"case {complaint.case_id}" in out and "1 stuck case(s)" in out
    out = runner.invoke(args=["engine", "doctor", "--rerun"]).output
    assert f"case {complaint.case_id}: moved on" in out
    restart()
    [decision] = open_task(complaint.case_id, "arbitration_decision")
    assert doctor.stuck_cases() == []
    assert "no stuck cases" in runner.invoke(args=["engine", "doctor"]).output


def test_admin_page_lists_stuck_cases_and_reruns_them(app, browser, orgs, users, monkeypatch):
    from tests.test_complaint_lifecycle import open_task
    complaint = make_stuck_panel(browser, orgs, users, monkeypatch)
    assert browser("handler").get("/admin/engine/doctor").status_code == 403
    assert browser("handler").post(f"/admin/engine/doctor/{complaint.case_id}/rerun").status_code == 403
    admin = browser("admin")
    page = admin.get("/admin/engine/doctor").get_data(as_text=True)
    assert f"#{complaint.case_id}" in page
    r = admin.post(f"/admin/engine/doctor/{complaint.case_id}/rerun")
    assert r.status_code == 303
    [decision] = open_task(complaint.case_id, "arbitration_decision")
    assert f"#{complaint.case_id}" not in admin.get("/admin/engine/doctor").get_data(as_text=True)
    r = admin.post(f"/admin/engine/doctor/{complaint.case_id}/rerun")  # a second click finds nothing to do
    assert r.status_code == 303
