"""The complaint lifecycle through HTTP, on every path."""
import re

from sqlalchemy import select

from app.complaints.models import ArbitrationOpinion, Complaint
from app.engine import clock
from app.engine.models import AuditEvent, Case, WorkTask
from app.extensions import db
from tests.conftest import at
import pytest

pytestmark = pytest.mark.lifecycle

AGENCY = "华信两化咨询有限公司"


def open_task(case_id, spec_name):
    db.session.expire_all()
    return db.session.scalars(select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.spec_name == spec_name,
                                                     WorkTask.status == "open")).all()


def file_public_complaint(browser, orgs, **extra):
    b = browser()
    data = {"kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "false_disclosure",
            "facts": "The agency lists consultants who never worked for it.",
            "complainant_name": "王先生", "complainant_contact": "13800000000"}
    data.update(extra)
    r = b.post("/complaints/new", data)
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    token = r.headers["Location"].rsplit("/", 1)[-1]
    complaint = db.session.scalar(select(Complaint).where(Complaint.tracking_token == token))
    return b, complaint


def complete(b, task, data, expect=302):
    r = b.post(f"/tasks/{task.id}", data)
    assert r.status_code == expect, r.get_data(as_text=True)[:1500]
    return r


def test_rejected_at_triage_complainant_sees_reason(browser, orgs):
    public, complaint = file_public_complaint(browser, orgs)
    handler = browser("handler")
    [triage] = open_task(complaint.case_id, "triage")
    complete(handler, triage, {"triage_decision": "reject", "triage_reason": "不属于平台公开信息范围"})
    page = public.get(f"/complaints/track/{complaint.tracking_token}").get_data(as_text=True)
    assert "不属于平台公开信息范围" in page
    db.session.expire_all()
    assert db.session.get(Case, complaint.case_id).status == "completed"
    assert complaint.status == "rejected"


def accept(browser, complaint):
    handler = browser("handler")
    [triage] = open_task(complaint.case_id, "triage")
    complete(handler, triage, {"triage_decision": "accept"})
    return handler


def test_resolved_by_mediation(browser, orgs):
    _, complaint = file_public_complaint(browser, orgs)
    handler = accept(browser, complaint)
    agency = browser("agency")
    [response] = open_task(complaint.case_id, "agency_response")
    assert response.due_at is not None
    complete(agency, response, {"response_text": "These consultants left in 2025; the page is now corrected."})
    [mediation] = open_task(complaint.case_id, "mediation")
    complete(handler, mediation, {"mediation_outcome": "resolved", "mediation_summary": "机构已更正公开信息并致歉"})
    db.session.expire_all()
    assert complaint.status == "resolved"
    assert db.session.get(Case, complaint.case_id).status == "completed"


def test_arbitrated_upheld_and_published(browser, orgs, users):
    _, complaint = file_public_complaint(browser, orgs)
    handler = accept(browser, complaint)
    [response] = open_task(complaint.case_id, "agency_response")
    complete(browser("agency"), response, {"response_text": "We dispute this complaint entirely, see evidence."})
    [mediation] = open_task(complaint.case_id, "mediation")
    complete(handler, mediation, {"mediation_outcome": "failed", "mediation_summary": "双方无法达成一致"})
    opinions = open_task(complaint.case_id, "arbitration_opinion [child]") or open_task(complaint.case_id, "arbitration_opinion")
    assert len(opinions) == 3
    panel = {t.assignee_id for t in opinions}
    assert users["expert4"].id not in panel  # affiliated with the agency: conflict of interest
    by_id = {u.id: u.username for u in users.values()}
    for t in opinions:
        complete(browser(by_id[t.assignee_id]), t, {"opinion": "upheld", "opinion_reasons": "证据充分"})
    assert db.session.scalar(select(db.func.count(ArbitrationOpinion.id))) == 3
    [decision] = open_task(complaint.case_id, "arbitration_decision")
    complete(browser(by_id[decision.assignee_id]), decision,
             {"arbitration_result": "upheld", "findings": "机构公开了虚假的人员信息", "serious": "y", "measure": "warning"})
    [publication] = open_task(complaint.case_id, "publication")
    complete(handler, publication, {"publish": "approve", "publication_summary": "华信两化公开虚假人员信息，予以警告"})
    db.session.expire_all()
    assert complaint.status == "published" and complaint.verified_at is not None
    page = browser().get("/decisions").get_data(as_text=True)
    assert "华信两化公开虚假人员信息，予以警告" in page
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == complaint.case_id))]
    assert kinds.count("task.completed") == 8 and "case.completed" in kinds


def test_agency_silent_timer_escalates_then_extension_and_proceed(app, browser, orgs):
    clock.travel_to(at("2026-09-28T10:00"))  # Monday before National Day
    _, complaint = file_public_complaint(browser, orgs)
    accept(browser, complaint)
    [response] = open_task(complaint.case_id, "agency_response")
    # 10 working days after 2026-09-28 across the National Day holiday (Oct 1-7, Oct 10 a make-up day):
    # 9-29, 9-30, 10-8, 10-9, 10-10, 10-12, 10-13, 10-14, 10-15, 10-16 -> due end of 2026-10-16 Beijing time.
    assert clock.as_aware(response.due_at) == at("2026-10-17T00:00")
    runner = app.test_cli_runner()
    assert "0 case" in runner.invoke(args=["engine", "tick", "--at", "2026-10-16T23:00"]).output
    assert open_task(complaint.case_id, "agency_response")
    assert "1 case" in runner.invoke(args=["engine", "tick", "--at", "2026-10-17T00:01"]).output
    assert not open_task(complaint.case_id, "agency_response")
    [escalation] = open_task(complaint.case_id, "escalation")
    clock.travel_to(at("2026-10-19T09:00"))
    handler = browser("handler")
    complete(handler, escalation, {"escalation_action": "extend", "extend_days": "3"})
    [response] = open_task(complaint.case_id, "agency_response")
    assert clock.as_aware(response.due_at) == at("2026-10-23T00:00")
    runner.invoke(args=["engine", "tick", "--at", "2026-10-23T08:00"])
    [escalation] = open_task(complaint.case_id, "escalation")
    complete(handler, escalation, {"escalation_action": "proceed", "escalation_note": "机构未回应"})
    assert open_task(complaint.case_id, "mediation")
    db.session.expire_all()
    assert any(e.kind == "timer.fired" for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.case_id == complaint.case_id)))


def arbitrate(complaint, users, result="upheld", serious=True):
    """Drive a complaint to the arbitration decision through the service layer."""
    from app.engine import runtime
    by_id = {u.id: u for u in users.values()}
    steps = [("triage", users["handler"], {"triage_decision": "accept"}),
             ("agency_response", users["agency"], {"response_text": "我们不同意投诉内容"}),
             ("mediation", users["handler"], {"mediation_outcome": "failed", "mediation_summary": "未能调解"})]
    for spec, user, data in steps:
        [t] = open_task(complaint.case_id, spec)
        runtime.complete_task(t.id, user, payload=data)
    for t in open_task(complaint.case_id, "arbitration_opinion [child]"):
        runtime.complete_task(t.id, by_id[t.assignee_id], payload={"opinion": result, "opinion_reasons": "理由"})
    [d] = open_task(complaint.case_id, "arbitration_decision")
    runtime.complete_task(d.id, by_id[d.assignee_id], payload={
        "arbitration_result": result, "findings": "查明属实", "measure": "rating_review", "serious": serious})


def test_third_verified_serious_complaint_in_three_months_puts_rating_under_review(browser, orgs, users):
    reviews = lambda: db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "agency.rating_review_due")).all()
    clock.travel_to(at("2026-06-01T10:00"))
    _, first = file_public_complaint(browser, orgs)
    arbitrate(first, users)
    clock.travel_to(at("2026-09-15T10:00"))  # the June one is now outside three months
    for _ in range(2):
        _, c = file_public_complaint(browser, orgs)
        arbitrate(c, users)
    assert reviews() == []
    _, not_serious = file_public_complaint(browser, orgs)
    arbitrate(not_serious, users, serious=False)
    assert reviews() == []
    _, third = file_public_complaint(browser, orgs)
    arbitrate(third, users)
    [event] = reviews()
    assert event.detail == {"agency_id": orgs[AGENCY].id, "count": 3}
    from app.notifications.models import Notification
    assert db.session.scalar(select(Notification).where(Notification.user_id == users["admin"].id,
                                                        Notification.kind == "case_update"))


def test_parties_are_notified_at_each_step(browser, orgs, users):
    from app.notifications.models import Notification
    ent = browser("enterprise")
    ent.post("/complaints/new", {"kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "service_quality",
                                 "facts": "咨询人员多次缺席现场工作。"})
    complaint = db.session.scalar(select(Complaint).order_by(Complaint.id.desc()))
    accept(browser, complaint)
    agency_notes = db.session.scalars(select(Notification).where(Notification.user_id == users["agency"].id)).all()
    assert {n.kind for n in agency_notes} == {"task_offered", "case_update"}
    ent_notes = db.session.scalars(select(Notification).where(Notification.user_id == users["enterprise"].id)).all()
    assert [n.params["status"] for n in ent_notes] == ["awaiting_response"]
    page = browser("agency").get("/notifications").get_data(as_text=True)
    assert "机构回应" in page
