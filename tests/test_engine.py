"""The engine on its own: definitions and versions, validation, persistence,
restricted scripts, timers moved with the clock, conflicts."""
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from app import ROOT
from app.engine import clock, definitions, runtime, serializer
from app.engine.models import AuditEvent, Case, ProcessDefinition, WorkTask
from app.engine.scripting import RestrictedEnvironment, ScriptError
from app.extensions import db
from tests.conftest import at

COMPLAINT = (ROOT / "bpmn" / "complaint.bpmn").read_text(encoding="utf-8")


def start(orgs):
    """Start a complaint case the way a public filing does."""
    from werkzeug.datastructures import MultiDict
    from app.complaints import services
    agency = orgs["华信两化咨询有限公司"]
    form = services.complaint_form(MultiDict({
        "kind": "complaint", "agency_id": str(agency.id), "category": "other", "facts": "engine test facts",
        "complainant_name": "测试", "complainant_contact": "test@example.org"}), None)
    assert form.validate(), form.errors
    return services.file_complaint(form, None).case


# --- definitions ---------------------------------------------------------------------------

def test_same_content_is_not_a_new_version(app):
    definition, created = definitions.deploy(COMPLAINT, source="complaint.bpmn")
    assert not created and definition.version == 1


def test_changed_content_makes_next_version_and_running_cases_keep_theirs(app, orgs):
    case = start(orgs)
    changed = COMPLAINT.replace('name="受理审查"', 'name="受理审查（新）"')
    definition, created = definitions.deploy(changed, source="complaint.bpmn", comment="rename")
    db.session.commit()
    assert created and definition.version == 2
    assert db.session.get(Case, case.id).definition.version == 1
    new_case = start(orgs)
    assert new_case.definition.version == 2
    names = {t.name for t in db.session.scalars(select(WorkTask).where(WorkTask.case_id == new_case.id))}
    assert names == {"受理审查（新）"}


@pytest.mark.parametrize("mutation, message", [
    (('value="complaint.triage"', 'value="complaint.nope"'), "unknown form 'complaint.nope'"),
    (('<bpmn:lane id="lane_handler" name="handler">', '<bpmn:lane id="lane_handler" name="clerk">'), "lane 'clerk' is not a role"),
    (('triage_decision == "reject"', 'triage_decision == ('), "condition"),
    (('response_due = due_after', '__import__("os").system("id"); x = due_after'), "script"),
])
def test_deploy_refuses_diagrams_breaking_engine_rules(app, mutation, message):
    bad = COMPLAINT.replace(*mutation)
    assert bad != COMPLAINT
    with pytest.raises(definitions.DefinitionError) as exc:
        definitions.deploy(bad)
    assert any(message in str(p) for p in exc.value.problems), exc.value.problems


def test_untrusted_xml_is_refused(app):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>')
    problems = definitions.validate(bomb)
    assert problems and "DOCTYPE" in problems[0].message
    assert "too large" in definitions.validate("<x/>" * 600_000)[0].message
    assert "not well-formed" in definitions.validate("<bpmn:definitions")[0].message


def test_timer_phrase_in_working_days_is_accepted(app):
    text = COMPLAINT.replace(
        '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">response_due</bpmn:timeDate>',
        '<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">10 working days</bpmn:timeDuration>')
    assert definitions.validate(text) == []


# --- persistence ---------------------------------------------------------------------------

def test_state_is_stored_without_the_spec_and_resumes(app, orgs):
    case = start(orgs)
    assert '"spec"' not in case.state.split('"tasks"')[0]
    wf = runtime.load_workflow(case)
    assert wf.script_engine is serializer.SCRIPT_ENGINE
    [ready] = [t.task_spec.name for t in wf.get_tasks(state=16, manual=True)]  # READY
    assert ready == "triage"


def test_task_rows_are_materialized_with_lane_and_due(app, orgs):
    clock.travel_to(at("2026-11-23T10:00"))
    case = start(orgs)
    [row] = db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id)).all()
    assert row.role == "handler" and row.form_key == "complaint.triage" and row.status == "open"
    assert clock.as_aware(row.due_at) == at("2026-12-01T00:00")  # 5 working days after Mon 23 Nov
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id))]
    assert kinds[:2] == ["case.started", "task.created"]


# --- conflicts -----------------------------------------------------------------------------

def test_two_people_completing_one_task_one_wins(app, orgs, users):
    case = start(orgs)
    [task] = db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id)).all()
    task_id, case_id = task.id, case.id
    from app.auth.services import create_user
    second = create_user("handler2", "handler-demo-2", "handler", "投诉处理 二")
    db.session.commit()
    uids = [users["handler"].id, second.id]
    db.session.remove()
    barrier = threading.Barrier(2)
    results = {}

    def work(uid, decision):
        with app.app_context():
            from app.auth.models import User
            user = db.session.get(User, uid)
            barrier.wait()
            try:
                runtime.complete_task(task_id, user, payload={"triage_decision": decision,
                                                              "triage_reason": "冲突测试"})
                results[uid] = "ok"
            except runtime.Conflict as exc:
                results[uid] = "conflict"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(uid, d)) for uid, d in zip(uids, ["accept", "reject"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results.values()) == ["conflict", "ok"], results
    winner = next(uid for uid, r in results.items() if r == "ok")
    db.session.expire_all()
    done = db.session.get(WorkTask, task_id)
    assert done.status == "completed" and done.completed_by_id == winner
    completions = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                              AuditEvent.kind == "task.completed")).all()
    assert len(completions) == 1
    expected_next = "agency_response" if winner == uids[0] else None
    open_specs = [t.spec_name for t in db.session.scalars(select(WorkTask).where(
        WorkTask.case_id == case_id, WorkTask.status == "open"))]
    assert open_specs == ([expected_next] if expected_next else [])


def test_completing_a_completed_task_is_a_conflict(app, orgs, users):
    case = start(orgs)
    [task] = db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id)).all()
    runtime.complete_task(task.id, users["handler"], payload={"triage_decision": "accept"})
    with pytest.raises(runtime.Conflict):
        runtime.complete_task(task.id, users["handler"], payload={"triage_decision": "accept"})


def test_claim_conflict_and_release(app, orgs, users):
    from app.auth.services import create_user
    other = create_user("handler2", "x-demo-pass", "handler", "投诉处理 二")
    db.session.commit()
    case = start(orgs)
    [task] = db.session.scalars(select(WorkTask).where(WorkTask.case_id == case.id)).all()
    runtime.claim_task(task.id, users["handler"])
    with pytest.raises(runtime.Conflict):
        runtime.claim_task(task.id, other)
    with pytest.raises(runtime.Conflict):
        runtime.complete_task(task.id, other, payload={"triage_decision": "accept"})
    with pytest.raises(runtime.Forbidden):
        runtime.release_task(task.id, other)
    runtime.release_task(task.id, users["handler"])
    runtime.claim_task(task.id, other)
    assert db.session.get(WorkTask, task.id).assignee_id == other.id


# --- timers --------------------------------------------------------------------------------

def test_sweep_loads_only_due_cases(app, orgs, users, monkeypatch):
    clock.travel_to(at("2026-11-02T09:00"))
    cases = [start(orgs) for _ in range(3)]
    for c in cases:
        [t] = db.session.scalars(select(WorkTask).where(WorkTask.case_id == c.id)).all()
        runtime.complete_task(t.id, users["handler"], payload={"triage_decision": "accept"})
    loaded = []
    original = runtime.load_workflow
    monkeypatch.setattr(runtime, "load_workflow", lambda case: loaded.append(case.id) or original(case))
    assert runtime.sweep_timers(at("2026-11-10T09:00")) == 0
    assert loaded == []  # nothing due: no workflow deserialized
    assert runtime.sweep_timers(at("2026-11-17T00:00:01")) == 3
    assert sorted(loaded) == sorted(c.id for c in cases)


# --- restricted scripts --------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    '__import__("os")', "().__class__.__bases__", 'open("/etc/passwd")', "eval('1')",
    "getattr(x, '__class__')",
])
def test_restricted_expressions_refuse_escapes(source):
    with pytest.raises((ScriptError, NameError, SyntaxError, AttributeError, TypeError)):
        RestrictedEnvironment().evaluate(source, {"x": 1})


def test_scripts_see_task_data_and_safe_helpers(app):
    env = RestrictedEnvironment()
    context = {"n": 3}
    env.execute("total = sum([n, 2])\nnext_day = add_working_days('2026-09-30', 1)", context)
    assert context == {"n": 3, "total": 5, "next_day": "2026-10-08"}
