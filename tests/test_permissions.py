"""Who may see and do what, per role; CSRF; bad input keeps what was typed."""
import io
import re

import pytest
from sqlalchemy import select

from app.auth.services import create_user
from app.complaints.models import Complaint
from app.engine.models import Case, Document, WorkTask
from app.extensions import db
from tests.conftest import PASSWORDS
from tests.test_complaint_lifecycle import AGENCY, accept, complete, file_public_complaint, open_task

OTHER_AGENCY = "启明管理咨询中心"


@pytest.fixture
def other_agency_user(app, orgs):
    create_user("agency2", "agency-demo-2", "agency", "启明 客服", orgs[OTHER_AGENCY])
    db.session.commit()
    PASSWORDS["agency2"] = "agency-demo-2"
    return "agency2"


def test_anonymous_is_sent_to_login_for_inbox_and_cases(browser, orgs):
    _, complaint = file_public_complaint(browser, orgs)
    anon = browser()
    for url in ("/inbox", f"/cases/{complaint.case_id}", "/tasks/1"):
        r = anon.get(url)
        assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_agency_sees_and_answers_only_its_own_cases(browser, orgs, other_agency_user):
    _, complaint = file_public_complaint(browser, orgs)
    accept(browser, complaint)
    [response] = open_task(complaint.case_id, "agency_response")
    other = browser(other_agency_user)
    assert other.get(f"/cases/{complaint.case_id}").status_code == 404
    assert other.get(f"/tasks/{response.id}").status_code == 404
    r = other.post(f"/tasks/{response.id}", {"response_text": "not ours but we try to answer"})
    assert r.status_code == 404
    assert "机构回应" not in other.get("/inbox").get_data(as_text=True)
    own = browser("agency")
    page = own.get(f"/cases/{complaint.case_id}").get_data(as_text=True)
    assert "机构回应" in page and "王先生" not in page and "13800000000" not in page  # complainant stays private
    assert "王先生" in browser("handler").get(f"/cases/{complaint.case_id}").get_data(as_text=True)
    assert "机构回应" in own.get("/inbox").get_data(as_text=True)
    assert open_task(complaint.case_id, "agency_response")  # still open: nothing applied


def test_roles_cannot_do_each_others_tasks(browser, orgs):
    _, complaint = file_public_complaint(browser, orgs)
    [triage] = open_task(complaint.case_id, "triage")
    for who in ("agency", "enterprise", "expert1"):
        r = browser(who).post(f"/tasks/{triage.id}", {"triage_decision": "reject", "triage_reason": "x"})
        assert r.status_code in (403, 404), who
    assert open_task(complaint.case_id, "triage")


def test_enterprise_sees_only_its_own_complaints(browser, orgs, app):
    ent = browser("enterprise")
    r = ent.post("/complaints/new", {"kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "service_quality",
                                     "facts": "咨询人员现场工作天数与合同不符，多次缺席。"})
    assert r.status_code == 303
    mine = db.session.scalar(select(Complaint).order_by(Complaint.id.desc()))
    assert mine.complainant_user_id is not None
    _, public = file_public_complaint(browser, orgs)
    assert ent.get(f"/cases/{mine.case_id}").status_code == 200
    assert ent.get(f"/cases/{public.case_id}").status_code == 404
    listing = ent.get("/complaints").get_data(as_text=True)
    assert f"#{mine.case_id}" in listing and f"#{public.case_id}<" not in listing


def test_staff_only_pages(browser):
    assert browser("handler").get("/admin/calendar").status_code == 403
    assert browser("admin").get("/admin/calendar").status_code == 200


def test_csrf_is_required_on_forms(browser, orgs):
    b = browser()
    r = b.client.post("/complaints/new", data={"kind": "complaint", "agency_id": orgs[AGENCY].id,
                                                "category": "other", "facts": "no token here at all",
                                                "complainant_name": "x", "complainant_contact": "y"})
    assert r.status_code == 400
    assert db.session.scalar(select(db.func.count(Complaint.id))) == 0
    login = b.client.post("/login", data={"username": "handler", "password": PASSWORDS["handler"]})
    assert login.status_code == 400


def test_bad_input_keeps_what_was_typed_and_stores_nothing(browser, orgs):
    b = browser()
    r = b.post("/complaints/new", {"kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "other",
                                   "facts": "短", "complainant_name": "", "complainant_contact": "138"})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert 'value="138"' in page and "短</textarea>" in page
    assert db.session.scalar(select(db.func.count(Complaint.id))) == 0
    r = b.post("/complaints/new", {"kind": "complaint", "agency_id": "999999", "category": "other",
                                   "facts": "a long enough text about it", "complainant_name": "a",
                                   "complainant_contact": "b"})
    assert r.status_code == 422


def test_task_form_error_keeps_input_and_task_open(browser, orgs):
    _, complaint = file_public_complaint(browser, orgs)
    [triage] = open_task(complaint.case_id, "triage")
    r = browser("handler").post(f"/tasks/{triage.id}", {"triage_decision": "reject", "triage_reason": ""})
    assert r.status_code == 422
    assert re.search(r'<input checked[^>]*value="reject"', r.get_data(as_text=True))
    assert open_task(complaint.case_id, "triage")
    assert db.session.get(Case, complaint.case_id).status == "running"


def test_uploads_are_bounded_and_private(app, browser, orgs):
    app.config["UPLOAD_MAX_FILE_BYTES"] = 1024
    b = browser()
    data = {"kind": "report", "agency_id": orgs[AGENCY].id, "category": "misconduct",
            "facts": "评定前代写材料，违反咨询与评定分离。", "complainant_name": "匿名群众", "complainant_contact": "a@b.cn"}
    too_big = dict(data, evidence=(io.BytesIO(b"x" * 2048), "big.pdf"))
    r = b.post("/complaints/new", too_big, content_type="multipart/form-data")
    assert r.status_code == 422 and "big.pdf" in r.get_data(as_text=True)
    bad_type = dict(data, evidence=(io.BytesIO(b"#!/bin/sh"), "run.sh"))
    assert b.post("/complaints/new", bad_type, content_type="multipart/form-data").status_code == 422
    ok = dict(data, evidence=(io.BytesIO(b"%PDF-1.4 evidence"), "证据.pdf"))
    assert b.post("/complaints/new", ok, content_type="multipart/form-data").status_code == 303
    doc = db.session.scalar(select(Document))
    assert doc.filename == "证据.pdf" and doc.stored_name != doc.filename
    assert browser("handler").get(f"/documents/{doc.id}").status_code == 200
    from app.auth.services import create_user as cu
    cu("agency2", "agency-demo-2", "agency", "启明 客服", orgs[OTHER_AGENCY]); db.session.commit()
    PASSWORDS["agency2"] = "agency-demo-2"
    assert browser("agency2").get(f"/documents/{doc.id}").status_code == 404
    assert browser().get(f"/static/../instance/uploads/{doc.stored_name}").status_code == 404


def test_public_complaint_without_name_or_contact_is_refused(browser, orgs):
    b = browser()
    base = {"kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "other", "facts": "足够长的事实描述内容在此"}
    for data in (base, dict(base, complainant_name="  ", complainant_contact="")):
        r = b.post("/complaints/new", data)
        assert r.status_code == 422
    assert db.session.scalar(select(db.func.count(Complaint.id))) == 0


def test_extension_needs_days(app, browser, orgs):
    from app.engine import clock
    from tests.conftest import at
    from tests.test_complaint_lifecycle import accept
    clock.travel_to(at("2026-11-02T09:00"))
    _, complaint = file_public_complaint(browser, orgs)
    accept(browser, complaint)
    app.test_cli_runner().invoke(args=["engine", "tick", "--at", "2026-11-20T09:00"])
    [esc] = open_task(complaint.case_id, "escalation")
    handler = browser("handler")
    assert handler.post(f"/tasks/{esc.id}", {"escalation_action": "extend", "extend_days": ""}).status_code == 422
    assert handler.post(f"/tasks/{esc.id}", {"escalation_action": "extend", "extend_days": "abc"}).status_code == 422
    assert handler.post(f"/tasks/{esc.id}", {"escalation_action": "proceed", "extend_days": ""}).status_code == 302


def test_administrator_calendar_override_moves_deadlines(app, browser, orgs):
    from app.engine import clock
    from app.engine.models import HolidayOverride
    from tests.conftest import at
    admin = browser("admin")
    assert admin.post("/admin/calendar", {"day": "2026-13-01", "kind": "holiday"}).status_code == 400
    assert admin.post("/admin/calendar", {"day": "2026-11-26", "kind": "holiday", "note": "临时休假"}).status_code == 302
    assert db.session.get(HolidayOverride, __import__("datetime").date(2026, 11, 26)).is_working_day is False
    clock.travel_to(at("2026-11-23T10:00"))
    _, complaint = file_public_complaint(browser, orgs)
    [triage] = open_task(complaint.case_id, "triage")
    # 5 working days after Mon 23 Nov, skipping the declared holiday Thu 26 Nov: 24, 25, 27, 30 Nov, 1 Dec
    assert clock.as_aware(triage.due_at) == at("2026-12-02T00:00")
    assert browser("handler").post("/admin/calendar", {"day": "2026-12-02", "kind": "holiday"}).status_code == 403


def test_is_signed_in_only_for_a_signed_in_account(users):
    from flask_login import AnonymousUserMixin

    from app.auth.permissions import is_signed_in
    assert is_signed_in(users["handler"]) is True
    assert is_signed_in(None) is False
    assert is_signed_in(AnonymousUserMixin()) is False
    assert is_signed_in("public visitor") is False
