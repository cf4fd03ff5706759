"""Case operations of the engine (cancel, suspend, resume) through the case page and the
API, the timer sweep racing another process, and transaction() turning lost races into
409 Conflict."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.engine import Conflict, clock, runtime, transaction
from app.engine.models import AuditEvent, Case, ProcessDefinition, WorkTask
from app.extensions import db
from tests.conftest import at
from tests.test_api import api, assert_error  # noqa: F401 (the api fixture)
from tests.test_complaint_lifecycle import accept, complete, file_public_complaint, open_task


def waiting_for_agency(browser, orgs):
    """A complaint case at the agency's response, with its 10-working-day timer."""
    clock.travel_to(at("2026-11-02T09:00"))
    _, complaint = file_public_complaint(browser, orgs)
    accept(browser, complaint)
    [response] = open_task(complaint.case_id, "agency_response")
    case = db.session.get(Case, complaint.case_id)
    assert case.next_timer_at is not None
    return case.id, response.id, case.next_timer_at


def events(case_id, kind):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                       AuditEvent.kind == kind)).all()


def case_of(case_id) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


# --- suspend and resume ----------------------------------------------------------------------

def test_suspended_case_waits_and_resuming_fires_the_overdue_timer(browser, orgs):
    case_id, task_id, deadline = waiting_for_agency(browser, orgs)
    admin, agency = browser("admin"), browser("agency")
    assert 'id="case-actions"' in admin.get(f"/cases/{case_id}").get_data(as_text=True)

    r = admin.post(f"/cases/{case_id}/suspend", {"reason": "等待法院判决"})
    assert r.status_code == 303
    assert case_of(case_id).status == "suspended"
    [ev] = events(case_id, "case.suspended")
    assert ev.detail["reason"] == "等待法院判决" and ev.actor_id is not None
    # The task left the agency's inbox and cannot be done.
    assert f"/tasks/{task_id}" not in agency.get("/inbox").get_data(as_text=True)
    r = complete(agency, db.session.get(WorkTask, task_id), {"response_text": "We corrected the page in 2026."},
                 expect=303)
    assert "该案件已暂停" in agency.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.get(WorkTask, task_id).status == "suspended"
    assert task_id not in [e.task_id for e in events(case_id, "task.completed")]
    # The deadline passes while suspended: the sweep leaves the case, the deadline is kept.
    assert runtime.sweep_timers(clock.as_aware(deadline) + timedelta(days=1)) == 0
    assert case_of(case_id).next_timer_at == deadline and not events(case_id, "timer.fired")

    r = admin.post(f"/cases/{case_id}/resume", {"reason": ""})
    assert r.status_code == 303
    assert case_of(case_id).status == "running" and db.session.get(WorkTask, task_id).status == "open"
    assert len(events(case_id, "case.resumed")) == 1
    # The next sweep fires the timer that fell due meanwhile.
    assert runtime.sweep_timers(clock.as_aware(deadline) + timedelta(days=1)) == 1
    assert len(events(case_id, "timer.fired")) == 1
    assert open_task(case_id, "escalation")


def test_only_administrators_may_suspend_and_the_reason_is_required(browser, orgs):
    case_id, _task_id, _deadline = waiting_for_agency(browser, orgs)
    handler = browser("handler")
    assert 'id="case-actions"' not in handler.get(f"/cases/{case_id}").get_data(as_text=True)
    assert handler.post(f"/cases/{case_id}/suspend", {"reason": "不应允许"}).status_code == 403
    admin = browser("admin")
    r = admin.post(f"/cases/{case_id}/suspend", {"reason": "   "})
    assert r.status_code == 422 and "请填写原因" in r.get_data(as_text=True)
    # Without the CSRF token nothing happens either.
    r = admin._isolated(admin.client.post, f"/cases/{case_id}/suspend", data={"reason": "无令牌"})
    assert r.status_code == 400
    assert case_of(case_id).status == "running" and not events(case_id, "case.suspended")
    # Resuming a running case is a conflict, shown on the case page.
    assert admin.post(f"/cases/{case_id}/resume", {"reason": ""}).status_code == 409


# --- cancel ----------------------------------------------------------------------------------

def test_cancelling_withdraws_the_tasks_and_stops_the_timers(browser, orgs):
    case_id, task_id, _deadline = waiting_for_agency(browser, orgs)
    admin = browser("admin")
    r = admin.post(f"/cases/{case_id}/cancel", {"reason": "重复投诉"})
    assert r.status_code == 303
    case = case_of(case_id)
    assert case.status == "cancelled" and case.next_timer_at is None and case.completed_at is not None
    assert db.session.get(WorkTask, task_id).status == "cancelled"
    assert [e.detail["reason"] for e in events(case_id, "case.cancelled")] == ["重复投诉"]
    assert [e.task_id for e in events(case_id, "task.cancelled")] == [task_id]
    assert runtime.sweep_timers(at("2027-03-01T00:00")) == 0
    assert admin.post(f"/cases/{case_id}/cancel", {"reason": "again"}).status_code == 409
    page = admin.get(f"/cases/{case_id}").get_data(as_text=True)
    assert 'id="case-actions"' not in page


# --- API -------------------------------------------------------------------------------------

def test_case_operations_over_the_api(app, api, browser, orgs):
    case_id, task_id, _deadline = waiting_for_agency(browser, orgs)
    admin, handler = api("admin"), api("handler")
    assert_error(handler.post(f"/api/v1/cases/{case_id}/suspend", {"reason": "x"}), 403)
    assert_error(admin.post(f"/api/v1/cases/{case_id}/suspend", {}), 422, "reason")
    assert_error(admin.post(f"/api/v1/cases/{case_id}/suspend", {"reason": 5}), 422, "reason")
    assert_error(admin.post(f"/api/v1/cases/{case_id}/resume", {}), 409)
    assert_error(admin.post("/api/v1/cases/999999/cancel", {"reason": "x"}), 404)
    r = admin.post(f"/api/v1/cases/{case_id}/suspend", {"reason": "材料补正"})
    assert r.status_code == 200 and r.get_json()["status"] == "suspended"
    assert task_id not in [t["id"] for t in api("agency").get("/api/v1/tasks").get_json()["items"]]
    assert_error(api("agency").post(f"/api/v1/tasks/{task_id}/complete",
                                    {"response_text": "We corrected the page in 2026."}), 409)
    r = admin.post(f"/api/v1/cases/{case_id}/resume", {})
    assert r.status_code == 200 and r.get_json()["status"] == "running"
    assert [t["id"] for t in r.get_json()["open_tasks"]] == [task_id]
    r = admin.post(f"/api/v1/cases/{case_id}/cancel", {"reason": "撤回"})
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled" and r.get_json()["open_tasks"] == []


# --- the timer sweep racing another process ----------------------------------------------------

def test_two_processes_sweeping_one_due_timer_fire_it_once_quietly(app, browser, orgs, monkeypatch, caplog):
    case_id, _task_id, deadline = waiting_for_agency(browser, orgs)
    when = clock.as_aware(deadline) + timedelta(minutes=1)
    other = create_app("test", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                       UPLOAD_DIR=app.config["UPLOAD_DIR"])
    results, raced = {}, []
    original = runtime.load_workflow

    def load_while_the_other_sweeps(case):
        workflow = original(case)
        if not raced:  # the second process sweeps the same case right now
            raced.append(True)
            with other.app_context():
                results["other"] = runtime.sweep_timers(when)
                db.session.remove()
        return workflow

    monkeypatch.setattr(runtime, "load_workflow", load_while_the_other_sweeps)
    db.session.remove()
    with caplog.at_level(logging.INFO):
        results["this"] = runtime.sweep_timers(when)
    assert sorted(results.values()) == [0, 1], results
    assert len(events(case_id, "timer.fired")) == 1
    assert len(open_task(case_id, "escalation")) == 1
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert all(r.exc_info is None for r in caplog.records)
    # Both sweeping again later: nothing is due twice.
    assert runtime.sweep_timers(when) == 0


# --- transaction() ---------------------------------------------------------------------------

def _definition(**kw):
    values = dict(key="dup_probe", version=1, name="probe", content="<x/>", content_hash="0" * 64)
    values.update(kw)
    return ProcessDefinition(**values)


def test_a_concurrent_duplicate_insert_is_a_conflict_and_other_errors_pass(app):
    with transaction():
        db.session.add(_definition())
    with pytest.raises(Conflict) as info:
        with transaction("someone deployed this version first"):
            db.session.add(_definition(name="second writer"))
    assert info.value.status == 409 and info.value.message == "someone deployed this version first"
    assert db.session.scalars(select(ProcessDefinition.name).where(ProcessDefinition.key == "dup_probe")).all() \
        == ["probe"]
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):  # a missing value is a bug, not a race
        with transaction():
            db.session.add(_definition(key="dup_probe_2", name=None))
    with pytest.raises(ValueError):
        with transaction():
            db.session.add(_definition(key="dup_probe_3"))
            raise ValueError("boom")
    assert db.session.scalar(select(ProcessDefinition.id).where(ProcessDefinition.key == "dup_probe_3")) is None
