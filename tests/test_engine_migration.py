"""Migration of running cases on SpiffWorkflow's diff: a case migrated days after it began
waiting keeps its current task (same row), its timer's deadline, and then follows the new
version when the timer fires."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.engine import clock, runtime
from app.engine.models import AuditEvent, Case
from app.extensions import db
from tests.conftest import at
from tests.test_complaint_lifecycle import accept, file_public_complaint, open_task
from tests.test_designer import COMPLAINT, deploy_v2, renamed, v1


def test_migrated_case_keeps_its_task_and_deadline_and_the_timer_fires_on_the_new_version(browser, orgs):
    clock.travel_to(at("2026-11-02T09:00"))
    _, complaint = file_public_complaint(browser, orgs)
    accept(browser, complaint)
    [response] = open_task(complaint.case_id, "agency_response")
    deadline = db.session.get(Case, complaint.case_id).next_timer_at
    # Three days later a new version renames the escalation task; the case moves to it.
    clock.travel_to(at("2026-11-05T09:00"))
    admin = browser("admin")
    v2 = deploy_v2(admin, renamed(COMPLAINT, old="回应逾期处理", new="回应逾期处理（新）"))
    r = admin.post(f"/admin/designer/versions/{v1().id}/migrate", {"to": v2.id})
    assert r.status_code == 200
    db.session.expire_all()
    case = db.session.get(Case, complaint.case_id)
    assert case.definition_id == v2.id
    assert case.next_timer_at == deadline  # not recomputed from the day of the migration
    assert [t.id for t in open_task(case.id, "agency_response")] == [response.id]
    # The timer fires at the old deadline and the case follows the new version.
    assert runtime.sweep_timers(clock.as_aware(deadline) - timedelta(minutes=1)) == 0
    assert runtime.sweep_timers(clock.as_aware(deadline) + timedelta(minutes=1)) == 1
    [escalation] = open_task(case.id, "escalation")
    assert escalation.name == "回应逾期处理（新）"
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id))]
    assert kinds.count("case.migrated") == 1 and kinds.count("timer.fired") == 1
