"""Agencies and the semi-annual rating over HTTP: registration and disclosure, secrets,
satisfaction feedback, the whole rating cycle with objections, and adjustment reviews."""
import json

from sqlalchemy import select

from app.agencies.models import DisclosureVersion, Project, SatisfactionFeedback
from app.auth.services import create_user
from app.engine import clock
from app.engine.models import AuditEvent, Case, WorkTask
from app.extensions import db
from app.rating.models import Objection, RatingApplication, RatingCycle, RatingReview
from tests.conftest import PASSWORDS, at
import pytest

pytestmark = pytest.mark.lifecycle

AGENCY = "华信两化咨询有限公司"
OTHER_AGENCY = "启明管理咨询中心"
ENTERPRISE = "东海精密制造股份有限公司"

DISCLOSURE = {
    "registered_capital": "500万元", "province": "浙江", "city": "杭州", "industries": "装备制造、电子信息",
    "introduction": "专注两化融合管理体系贯标咨询十年。", "contact": "李经理 0571-88888888",
    "address": "杭州市西湖区文三路1号", "service_system": "六阶段贯标服务流程与质量控制机制",
    "years_in_consulting": "8", "revenue_range": "5-10m", "related_years": "12", "related_revenue_range": "10-50m",
    "knowledge_sharing": "在平台分享贯标案例12篇", "citations": "被引用35次", "awards": "联盟优秀服务机构",
    "other_info": "",
}
FEEDBACK = {q: "5" for q in ("overall", "value", "stage_survey", "stage_planning", "stage_documents",
                              "stage_operation", "training", "attitude")} | {"competence": "4"}


def ok(r, code=303):
    assert r.status_code == code, r.get_data(as_text=True)[-2500:]
    return r


def open_tasks(case_id, spec=None):
    db.session.expire_all()
    q = select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.status == "open")
    if spec:
        q = q.where(WorkTask.spec_name.in_([spec, f"{spec} [child]"]))
    return db.session.scalars(q.order_by(WorkTask.id)).all()


def second_agency_user(orgs):
    create_user("agency2", "agency-demo-2", "agency", "启明 客服", orgs[OTHER_AGENCY])
    db.session.commit()
    PASSWORDS["agency2"] = "agency-demo-2"
    return "agency2"


# --- registration and disclosure -----------------------------------------------------------

def test_agency_registers_and_discloses_public_sees_current_reviewers_see_history(browser):
    b = browser()
    bad = {"agency_name": "新锐咨询", "business_licence_no": "91330100MA2SECRET", "username": "xinrui",
           "display_name": "王工", "email": "wang@xinrui.cn", "password": "long-enough-1",
           "password_again": "different-1"}
    r = ok(b.post("/agencies/register", bad), 422)
    assert "新锐咨询" in r.get_data(as_text=True)
    ok(b.post("/agencies/register", bad | {"password_again": "long-enough-1"}))
    ok(b.post("/agencies/register", bad | {"password_again": "long-enough-1"}), 403)  # now logged in as agency
    ok(b.post("/agency/profile", DISCLOSURE | {"city": ""}), 422)
    ok(b.post("/agency/profile", DISCLOSURE))
    ok(b.post("/agency/profile", DISCLOSURE | {"city": "宁波"}))
    ok(b.post("/agency/profile", DISCLOSURE | {"city": "宁波"}))  # nothing changed: no new version
    from app.auth.models import Organisation
    org = db.session.scalar(select(Organisation).where(Organisation.name == "新锐咨询"))
    versions = db.session.scalars(select(DisclosureVersion).where(DisclosureVersion.organisation_id == org.id)).all()
    assert [v.version for v in versions] == [1, 2] and versions[1].changed == ["city"]
    # Team and a project with a business secret.
    ok(b.post("/agency/team", {"name": "赵六", "certificate_no": "LH-2024-001", "certificate_issued_on": "2024-03-01"}))
    ok(b.post("/agency/team", {"name": "钱七", "certificate_no": "LH-2024-002"}), 422)  # no issue date
    ent = db.session.scalar(select(Organisation).where(Organisation.kind == "enterprise"))
    ok(b.post("/agency/projects", {"enterprise_id": ent.id, "start_date": "2026-01-05", "contract_amount": "880000.55"}))
    ok(b.post("/agency/projects", {"enterprise_id": ent.id, "start_date": "2026-05-01", "end_date": "2026-04-01"}), 422)

    public = browser().get(f"/agencies/{org.id}").get_data(as_text=True)
    assert "<dd>宁波</dd>" in public and "<dd>杭州</dd>" not in public
    assert "880000" not in public and "91330100MA2SECRET" not in public
    assert "赵六" in public  # a valid certificate holder (issued 2024, three years)
    api = browser().get(f"/api/v1/agencies/{org.id}")
    body = api.get_data(as_text=True)
    assert api.status_code == 200 and "880000" not in body and "SECRET" not in body and "contract" not in body
    assert api.get_json()["disclosure"]["city"] == "宁波" and api.get_json()["disclosure_version"] == 2
    # The agency itself sees its contract amount; the history is for reviewers only.
    assert "880000.55" in b.get("/agency/projects").get_data(as_text=True)
    assert browser().get(f"/agencies/{org.id}/history").status_code == 302
    assert b.get(f"/agencies/{org.id}/history").status_code == 403
    history = ok(browser("handler").get(f"/agencies/{org.id}/history"), 200).get_data(as_text=True)
    assert "杭州" in history and "宁波" in history
    assert browser("enterprise").get("/agency/profile").status_code == 403


# --- satisfaction feedback -----------------------------------------------------------------

def test_project_end_asks_the_enterprise_for_feedback_within_three_months(app, browser, orgs):
    clock.travel_to(at("2026-08-31T10:00"))
    agency = browser("agency")
    ok(agency.post("/agency/team", {"name": "孙八", "certificate_no": "LH-2023-009",
                                    "certificate_issued_on": "2023-05-01"}))
    ok(agency.post("/agency/projects", {"enterprise_id": orgs[ENTERPRISE].id, "start_date": "2026-01-05",
                                        "end_date": "2026-08-31"}))
    project = db.session.scalar(select(Project))
    assert project.feedback_due_on.isoformat() == "2026-11-30"
    [task] = open_tasks(project.feedback_case_id, "feedback")
    assert task.candidate_org_id == orgs[ENTERPRISE].id
    assert clock.as_aware(task.due_at) == at("2026-12-01T00:00")
    assert "等待" in agency.get("/agency/projects").get_data(as_text=True)  # the reminder
    enterprise = browser("enterprise")
    assert f"/tasks/{task.id}" in enterprise.get("/inbox").get_data(as_text=True)
    assert browser("agency").post(f"/tasks/{task.id}", FEEDBACK).status_code in (403, 404)
    assert ENTERPRISE not in browser("handler").get("/feedback/overdue").get_data(as_text=True).split("<main>")[1]
    # Three months pass: still answerable, and now visible to reviewers.
    app.test_cli_runner().invoke(args=["engine", "tick", "--at", "2026-12-01T00:01"])
    clock.travel_to(at("2026-12-02T09:00"))
    assert open_tasks(project.feedback_case_id, "feedback")
    overdue = browser("handler").get("/feedback/overdue").get_data(as_text=True).split("<main>")[1]
    assert ENTERPRISE in overdue
    assert browser("agency").get("/feedback/overdue").status_code == 403
    r = enterprise.post(f"/tasks/{task.id}", {k: v for k, v in FEEDBACK.items() if k != "training"})
    assert r.status_code == 422
    ok(enterprise.post(f"/tasks/{task.id}", FEEDBACK | {"feedback_comment": "很满意"}), 302)
    fb = db.session.scalar(select(SatisfactionFeedback))
    assert fb.answers["competence"] == 4 and fb.answers["overall"] == 5
    assert "等待" not in browser("agency").get("/agency/projects").get_data(as_text=True)
    assert ENTERPRISE not in browser("handler").get("/feedback/overdue").get_data(as_text=True).split("<main>")[1]
    db.session.expire_all()
    assert db.session.get(Case, project.feedback_case_id).status == "completed"


# --- the rating cycle ----------------------------------------------------------------------

CYCLE = {"name": "2026 H2", "deadline": "2026-09-20", "spot_check_rate": "1", "spot_check_seed": "42",
         "notice_working_days": "10", "validity_months": "6",
         "weight_team": "20", "weight_projects": "25", "weight_satisfaction": "20", "weight_complaints": "15",
         "weight_awards": "5", "weight_knowledge": "10", "weight_other": "5",
         "bound_A": "90", "bound_B": "80", "bound_C": "70", "bound_D": "60"}


def scores(value):
    return {f"score_{c}": str(value) for c in ("team", "projects", "satisfaction", "complaints", "awards",
                                               "knowledge", "other")} | {"score_comment": "材料齐全"}


def score_panel(browser, users, case_id, value):
    by_id = {u.id: u.username for u in users.values()}
    sheets = open_tasks(case_id, "expert_score")
    assert len(sheets) == 3 and users["expert4"].id not in {t.assignee_id for t in sheets}  # conflict of interest
    for t in sheets:
        expert = browser(by_id[t.assignee_id])
        page = expert.get(f"/tasks/{t.id}").get_data(as_text=True)
        assert "有效证书持有人" in page or "certificate" in page  # the platform's facts beside the criteria
        ok(expert.post(f"/tasks/{t.id}", scores(value)), 302)
    [conclusion] = open_tasks(case_id, "review_conclusion")
    ok(browser(by_id[conclusion.assignee_id]).post(f"/tasks/{conclusion.id}",
                                                   {"conclusion_remarks": "专家组一致意见"}), 302)


def test_whole_rating_cycle_with_spot_check_objections_and_confirmation(app, browser, orgs, users):
    other = second_agency_user(orgs)
    clock.travel_to(at("2026-09-01T09:00"))
    admin = browser("admin")
    assert browser("agency").post("/rating/cycles", CYCLE).status_code == 403
    assert 'name="count_publication_day" type="checkbox" value="y">' in admin.get("/rating/cycles").get_data(
        as_text=True)  # default: the publication day is not counted (RATING_COUNT_PUBLICATION_DAY)
    ok(admin.post("/rating/cycles", CYCLE | {"bound_B": "95"}), 422)  # boundaries must fall from A to D
    ok(admin.post("/rating/cycles", CYCLE))
    cycle = db.session.scalar(select(RatingCycle))

    agency, agency2 = browser("agency"), browser(other)
    apply = {"cycle_id": cycle.id, "materials": "近三年贯标项目清单及证明材料", "truthful": "y"}
    assert agency.post("/agency/applications", apply).status_code == 409  # nothing disclosed yet
    ok(agency.post("/agency/profile", DISCLOSURE))
    ok(agency2.post("/agency/profile", DISCLOSURE | {"city": "上海"}))
    ok(agency.post("/agency/applications", apply | {"truthful": ""}), 422)
    import io
    ok(agency.post("/agency/applications", apply | {"material_files": (io.BytesIO(b"%PDF-1.4 list"), "项目清单.pdf")},
                   content_type="multipart/form-data"))
    ok(agency2.post("/agency/applications", apply))
    assert agency.post("/agency/applications", apply).status_code == 409  # once per cycle
    assert admin.post(f"/rating/cycles/{cycle.id}/close").status_code == 409  # before the deadline

    clock.travel_to(at("2026-09-21T09:00"))
    ok(admin.post(f"/rating/cycles/{cycle.id}/close"))
    db.session.expire_all()
    mine = db.session.scalar(select(RatingApplication).where(RatingApplication.organisation_id == orgs[AGENCY].id))
    theirs = db.session.scalar(select(RatingApplication).where(
        RatingApplication.organisation_id == orgs[OTHER_AGENCY].id))
    from app.engine.models import Document
    assert db.session.scalar(select(Document).where(Document.case_id == mine.case_id)).filename == "项目清单.pdf"
    assert cycle.spot_check_seed == 42 and cycle.sample == sorted([mine.id, theirs.id])  # rate 1: all sampled
    closing = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "rating.cycle_closed"))
    assert closing.detail["seed"] == 42 and closing.detail["rate"] == 1.0

    handler = browser("handler")
    [check] = open_tasks(theirs.case_id, "spot_check")
    assert "注册资本：500万元 —" in handler.get(f"/tasks/{check.id}").get_data(as_text=True)  # item-by-item checklist
    ok(handler.post(f"/tasks/{check.id}", {"spot_check_result": "false_information",
                                           "spot_check_findings": "项目清单中两家企业未曾合作"}), 302)
    db.session.expire_all()
    assert theirs.status == "terminated" and theirs.false_information
    assert db.session.get(Case, theirs.case_id).status == "completed"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "agency.false_information")) \
        .detail["agency_id"] == orgs[OTHER_AGENCY].id
    [check] = open_tasks(mine.case_id, "spot_check")
    ok(handler.post(f"/tasks/{check.id}", {"spot_check_result": "verified", "spot_check_findings": "逐项核对属实"}), 302)

    clock.travel_to(at("2026-09-28T10:00"))  # Monday before National Day
    score_panel(browser, users, mine.case_id, 85)
    db.session.expire_all()
    assert (mine.status, mine.proposed_grade, mine.total_score) == ("in_notice", "B", 85.0)
    # 10 working days after 2026-09-28 across National Day: the notice ends with 2026-10-16.
    assert clock.as_aware(mine.notice_ends) == at("2026-10-17T00:00")
    notices = browser().get("/rating/notices").get_data(as_text=True)
    assert AGENCY in notices and OTHER_AGENCY not in notices
    [item] = browser().get("/api/v1/rating/notices").get_json()["items"]
    assert (item["agency"], item["proposed_grade"]) == (AGENCY, "B")

    # An objection during the notice (anyone, with evidence) opens a review; founded: the panel reviews again.
    clock.travel_to(at("2026-10-09T11:00"))
    public = browser()
    ok(public.post(f"/rating/notices/{mine.id}/objection", {"name": "张三", "contact": "138", "text": "短"}), 422)
    ok(public.post(f"/rating/notices/{mine.id}/objection",
                   {"name": "张三", "contact": "13800000000", "text": "公开的满意度数据与实际不符，附证据。"}))
    [review] = open_tasks(mine.case_id, "objection_review")
    assert "张三" not in browser("agency").get(f"/cases/{mine.case_id}").get_data(as_text=True)
    ok(handler.post(f"/tasks/{review.id}", {"objection_decision": "upheld", "objection_reasons": "核实部分属实"}), 302)
    score_panel(browser, users, mine.case_id, 75)
    db.session.expire_all()
    assert (mine.proposed_grade, mine.review_round, mine.status) == ("C", 2, "in_notice")
    # A new notice from Fri 2026-10-09: 10 working days (Sat 10-10 a make-up day) -> 2026-10-22.
    assert clock.as_aware(mine.notice_ends) == at("2026-10-23T00:00")

    # A second objection, not founded: the notice continues; the timer confirms at its end.
    clock.travel_to(at("2026-10-20T09:00"))
    ok(public.post(f"/rating/notices/{mine.id}/objection",
                   {"name": "李四", "contact": "li@example.com", "text": "该机构人员名单可能有误，请核实。"}))
    [review] = open_tasks(mine.case_id, "objection_review")
    ok(handler.post(f"/tasks/{review.id}", {"objection_decision": "dismissed", "objection_reasons": "经核实名单属实"}), 302)
    runner = app.test_cli_runner()
    assert "0 case" in runner.invoke(args=["engine", "tick", "--at", "2026-10-22T23:00"]).output
    db.session.expire_all()
    assert mine.status == "in_notice" and mine.grade is None
    assert db.session.get(Case, mine.case_id).next_timer_at is not None  # the timer behind the event gateway
    assert "1 case" in runner.invoke(args=["engine", "tick", "--at", "2026-10-23T00:01"]).output
    db.session.expire_all()
    assert (mine.status, mine.grade) == ("confirmed", "C")
    assert mine.valid_until.isoformat() == "2027-04-23"
    assert [o.status for o in db.session.scalars(select(Objection).order_by(Objection.id))] == ["upheld", "dismissed"]
    assert db.session.get(Case, mine.case_id).status == "completed"

    recommended = browser().get("/rating/recommended").get_data(as_text=True)
    assert AGENCY in recommended and OTHER_AGENCY not in recommended
    listed = browser().get("/api/v1/rating/recommended").get_json()
    assert [a["agency"] for a in listed["C"]] == [AGENCY] and listed["A"] == listed["B"] == []
    assert "良好" in browser().get(f"/agencies/{orgs[AGENCY].id}").get_data(as_text=True)
    # After the notice nobody can object any more.
    assert public.post(f"/rating/notices/{mine.id}/objection",
                       {"name": "王五", "contact": "139", "text": "迟到的异议，超过公示期。"}).status_code == 404


def test_not_rated_below_d_goes_to_no_notice(app, browser, orgs, users):
    clock.travel_to(at("2026-09-01T09:00"))
    ok(browser("admin").post("/rating/cycles", CYCLE | {"spot_check_rate": "0"}))
    cycle = db.session.scalar(select(RatingCycle))
    agency = browser("agency")
    ok(agency.post("/agency/profile", DISCLOSURE))
    ok(agency.post("/agency/applications", {"cycle_id": cycle.id, "materials": "材料", "truthful": "y"}))
    clock.travel_to(at("2026-09-21T09:00"))
    ok(browser("admin").post(f"/rating/cycles/{cycle.id}/close"))
    app_ = db.session.scalar(select(RatingApplication))
    assert not open_tasks(app_.case_id, "spot_check")  # not sampled
    score_panel(browser, users, app_.case_id, 59)
    db.session.expire_all()
    assert (app_.status, app_.proposed_grade, app_.grade) == ("not_rated", "none", None)
    assert AGENCY not in browser().get("/rating/notices").get_data(as_text=True).split("<main>")[1]


# --- adjustment and cancellation -----------------------------------------------------------

def give_grade(orgs, grade="B"):
    from datetime import date
    cycle = RatingCycle(name="2026 H1", deadline=clock.utcnow(), weights={}, boundaries={}, spot_check_rate=0,
                        status="closed")
    db.session.add(cycle)
    db.session.flush()
    app_ = RatingApplication(cycle_id=cycle.id, organisation_id=orgs[AGENCY].id, disclosure_version=1,
                             status="confirmed", grade=grade, proposed_grade=grade, confirmed_at=clock.utcnow(),
                             valid_until=date(2027, 3, 1))
    db.session.add(app_)
    db.session.commit()
    return app_


def test_three_verified_serious_complaints_open_a_review_that_can_cancel_the_grade(browser, orgs, users):
    from tests.test_complaint_lifecycle import arbitrate, file_public_complaint
    clock.travel_to(at("2026-09-15T10:00"))
    rating = give_grade(orgs)
    for _ in range(3):
        _, c = file_public_complaint(browser, orgs)
        arbitrate(c, users)
    [review] = db.session.scalars(select(RatingReview)).all()
    assert (review.trigger, review.grade_before, review.status) == ("complaints", "B", "open")
    # A fourth one does not open a second review while the first is open.
    _, c = file_public_complaint(browser, orgs)
    arbitrate(c, users)
    assert len(db.session.scalars(select(RatingReview)).all()) == 1
    handler = browser("handler")
    [assess] = open_tasks(review.case_id, "adjustment_assessment")
    ok(handler.post(f"/tasks/{assess.id}", {"assessment": "refer", "assessment_reasons": "投诉情节严重"}), 302)
    [decision] = open_tasks(review.case_id, "adjustment_decision")
    by_id = {u.id: u.username for u in users.values()}
    assert decision.assignee_id != users["expert4"].id
    chair = browser(by_id[decision.assignee_id])
    ok(chair.post(f"/tasks/{decision.id}", {"outcome": "downgrade", "adjustment_reasons": "理由"}), 422)
    ok(chair.post(f"/tasks/{decision.id}", {"outcome": "cancel", "adjustment_reasons": "三个月内三次严重投诉属实"}), 302)
    db.session.expire_all()
    assert rating.grade is None and review.status == "decided" and review.published_at is not None
    page = browser().get("/rating/recommended").get_data(as_text=True)
    assert "三个月内三次严重投诉属实" in page
    assert AGENCY not in page.split("三个月内三次严重投诉属实")[0].split("<main>")[1].split("<h2>")[1]


def test_staff_open_a_review_for_the_other_triggers_and_downgrade(browser, orgs, users):
    rating = give_grade(orgs, "A")
    assert browser("agency").get("/rating/reviews").status_code == 403
    handler = browser("handler")
    ok(handler.post("/rating/reviews", {"agency_id": orgs[AGENCY].id, "trigger": "separation", "grounds": ""}), 422)
    ok(handler.post("/rating/reviews", {"agency_id": orgs[AGENCY].id, "trigger": "separation",
                                        "grounds": "同时承担咨询与评定工作"}))
    review = db.session.scalar(select(RatingReview))
    [assess] = open_tasks(review.case_id, "adjustment_assessment")
    ok(handler.post(f"/tasks/{assess.id}", {"assessment": "refer", "assessment_reasons": "需专家仲裁"}), 302)
    [decision] = open_tasks(review.case_id, "adjustment_decision")
    by_id = {u.id: u.username for u in users.values()}
    chair = browser(by_id[decision.assignee_id])
    ok(chair.post(f"/tasks/{decision.id}", {"outcome": "downgrade", "new_grade": "A", "adjustment_reasons": "x理由"}),
       400)
    db.session.rollback()
    ok(chair.post(f"/tasks/{decision.id}", {"outcome": "downgrade", "new_grade": "C",
                                            "adjustment_reasons": "违反咨询与评定分离原则"}), 302)
    db.session.expire_all()
    assert rating.grade == "C" and review.grade_after == "C"
    assert "违反咨询与评定分离原则" in browser().get("/rating/recommended").get_data(as_text=True)


# --- who may do what -----------------------------------------------------------------------

def test_agencies_only_touch_their_own_records_and_roles_are_enforced(browser, orgs, users):
    other = second_agency_user(orgs)
    agency = browser("agency")
    ok(agency.post("/agency/team", {"name": "周九"}))
    ok(agency.post("/agency/projects", {"enterprise_id": orgs[ENTERPRISE].id, "start_date": "2026-01-05"}))
    project = db.session.scalar(select(Project))
    from app.agencies.models import Consultant
    consultant = db.session.scalar(select(Consultant))
    intruder = browser(other)
    assert intruder.post(f"/agency/projects/{project.id}/end", {"end_date": "2026-06-30"}).status_code == 404
    assert intruder.post(f"/agency/projects/{project.id}/members",
                         {"consultant_id": consultant.id, "on_site_days": "20"}).status_code == 422  # not theirs
    ok(agency.post(f"/agency/projects/{project.id}/members", {"consultant_id": consultant.id, "on_site_days": "-1"}),
       422)
    ok(agency.post(f"/agency/projects/{project.id}/members", {"consultant_id": consultant.id, "on_site_days": "25"}))
    ok(agency.post(f"/agency/projects/{project.id}/end", {"end_date": "2025-12-31"}), 422)  # before the start
    ok(agency.post(f"/agency/projects/{project.id}/end", {"end_date": "2026-06-30"}))
    assert agency.post(f"/agency/projects/{project.id}/end", {"end_date": "2026-07-30"}).status_code == 409
    ok(agency.post(f"/agency/projects/{project.id}/assessment", {"passed_on": "2026-08-15"}))
    db.session.expire_all()
    assert project.passed_on.isoformat() == "2026-08-15" and project.members[0].on_site_days == 25
    for who in ("enterprise", "expert1", "handler"):
        assert browser(who).get("/agency/projects").status_code == 403
        assert browser(who).post("/agency/applications", {"cycle_id": 1, "materials": "x", "truthful": "y"}) \
            .status_code == 403
    assert browser("expert1").get("/rating/cycles").status_code == 403
    assert browser().get("/rating/cycles").status_code == 302
    assert browser("handler").post("/rating/cycles", CYCLE).status_code == 403  # administrators open cycles
    assert browser().post("/agency/profile", DISCLOSURE, follow_redirects=False).status_code == 302
    # CSRF on the public objection and registration forms.
    raw = browser().client
    assert raw.post("/agencies/register", data={"agency_name": "x"}).status_code == 400
    assert raw.post("/rating/notices/1/objection", data={"name": "x"}).status_code == 400
    assert browser().get("/rating/notices/999/objection").status_code == 404
    assert browser().get("/agencies/999").status_code == 404
    assert browser().get(f"/agencies/{orgs[ENTERPRISE].id}").status_code == 404
    assert browser().get("/api/v1/agencies/999").get_json()["error"]["status"] == 404


def test_false_information_of_a_rated_agency_opens_a_review(app, browser, orgs):
    rating = give_grade(orgs, "B")
    clock.travel_to(at("2026-09-01T09:00"))
    ok(browser("admin").post("/rating/cycles", CYCLE | {"name": "2027 H1"}))
    cycle = db.session.scalar(select(RatingCycle).where(RatingCycle.name == "2027 H1"))
    agency = browser("agency")
    ok(agency.post("/agency/profile", DISCLOSURE))
    ok(agency.post("/agency/applications", {"cycle_id": cycle.id, "materials": "材料", "truthful": "y"}))
    clock.travel_to(at("2026-09-21T09:00"))
    ok(browser("admin").post(f"/rating/cycles/{cycle.id}/close"))
    assert browser("admin").post(f"/rating/cycles/{cycle.id}/close").status_code == 409  # once
    application = db.session.scalar(select(RatingApplication).where(RatingApplication.cycle_id == cycle.id))
    [check] = open_tasks(application.case_id, "spot_check")
    ok(browser("handler").post(f"/tasks/{check.id}", {"spot_check_result": "false_information",
                                                      "spot_check_findings": "虚报专职人员"}), 302)
    [review] = db.session.scalars(select(RatingReview)).all()
    assert (review.trigger, review.grade_before, review.application_id) == ("false_information", "B", rating.id)
    assert open_tasks(review.case_id, "adjustment_assessment")


def test_a_cycle_counting_the_publication_day_ends_its_notice_a_working_day_earlier(app, browser, orgs, users):
    app.config["RATING_COUNT_PUBLICATION_DAY"] = True
    admin = browser("admin")
    assert 'checked id="count_publication_day"' in admin.get("/rating/cycles").get_data(as_text=True)
    clock.travel_to(at("2026-09-01T09:00"))
    ok(admin.post("/rating/cycles", CYCLE | {"spot_check_rate": "0", "count_publication_day": "y"}))
    cycle = db.session.scalar(select(RatingCycle))
    assert cycle.count_publication_day
    agency = browser("agency")
    ok(agency.post("/agency/profile", DISCLOSURE))
    ok(agency.post("/agency/applications", {"cycle_id": cycle.id, "materials": "材料", "truthful": "y"}))
    clock.travel_to(at("2026-09-21T09:00"))
    ok(admin.post(f"/rating/cycles/{cycle.id}/close"))
    application = db.session.scalar(select(RatingApplication))
    clock.travel_to(at("2026-09-28T10:00"))
    score_panel(browser, users, application.case_id, 92)
    db.session.expire_all()
    # 2026-09-28 is day 1: the tenth working day is 2026-10-15 (National Day in between).
    assert application.proposed_grade == "A" and clock.as_aware(application.notice_ends) == at("2026-10-16T00:00")
