"""Special-capability evaluation over HTTP: request, assignment, on-site scoring, report per stage, PDF."""
import pytest
from sqlalchemy import select

from app.engine.models import WorkTask
from app.extensions import db
from app.stars import catalogue, special
from app.stars.models import SpecialEvaluation

pytestmark = pytest.mark.lifecycle


@pytest.fixture
def schemes(app):
    made = catalogue.load_catalogue(types={"offline_service", "platform"})
    db.session.commit()
    return {s.enterprise_type: s for s in made}


def open_task(case_id, spec_name):
    db.session.expire_all()
    return db.session.scalars(select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.spec_name == spec_name,
                                                     WorkTask.status == "open")).all()


def stage_ids(scheme, *names):
    return [d.id for d in catalogue.special_stages(scheme) if d.name in names]


def test_special_capability_report_per_stage(browser, schemes, orgs):
    ent, admin, certifier = browser("enterprise"), browser("admin"), browser("certifier")
    scheme = schemes["offline_service"]
    page = ent.get("/stars/special/new?enterprise_type=offline_service").get_data(as_text=True)
    assert "研发" in page and "售后" in page and "物流" not in page  # appendix B has no logistics stage
    r = ent.post("/stars/special/new", {"enterprise_type": "offline_service", "stages": stage_ids(scheme, "研发", "监测")})
    assert r.status_code == 303, r.get_data(as_text=True)[-1500:]
    ev = db.session.get(SpecialEvaluation, int(r.headers["Location"].rsplit("/", 1)[-1]))
    assert [d.name for d in special.stages(ev)] == ["研发", "监测"]
    assert browser("enterprise2").get(f"/stars/special/{ev.id}").status_code == 404
    assert certifier.get(f"/stars/special/{ev.id}").status_code == 404  # not yet assigned

    [assign] = open_task(ev.case_id, "assign")
    assert admin.post(f"/tasks/{assign.id}", {"certifier_org_id": orgs["中正认证评价中心"].id}).status_code == 302
    [review] = open_task(ev.case_id, "special_review")
    assert ent.post(f"/stars/special/{ev.id}/stages/{special.stages(ev)[0].id}", {}).status_code == 403
    assert certifier.post(f"/tasks/{review.id}", {"special_summary": "现场审查完成"}).status_code == 422  # unscored

    db.session.expire_all()
    for d in special.stages(ev):
        data = {f"c_{i.id}": "75" for i in d.indicators}
        data[f"n_{d.indicators[0].id}"] = "研发投入台账完整"
        assert certifier.post(f"/stars/special/{ev.id}/stages/{d.id}", data).status_code == 303
    bad = certifier.post(f"/stars/special/{ev.id}/stages/{d.id}", {f"c_{d.indicators[0].id}": "abc"})
    assert bad.status_code == 422 and 'value="abc"' in bad.get_data(as_text=True)
    assert certifier.post(f"/tasks/{review.id}", {"special_summary": "现场审查完成"}).status_code == 302

    db.session.expire_all()
    ev = db.session.get(SpecialEvaluation, ev.id)
    assert ev.status == "completed"
    assert {s["name"]: s["score"] for s in ev.report["stages"]} == {"研发": "750.00", "监测": "750.00"}
    assert ev.report["stages"][0]["lines"][0]["finding"] == "研发投入台账完整"
    r = ent.get(f"/stars/special/{ev.id}/report.pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    assert browser("enterprise2").get(f"/stars/special/{ev.id}/report.pdf").status_code == 404


def test_platform_enterprises_have_no_special_stages(browser, schemes):
    r = browser("enterprise").post("/stars/special/new", {"enterprise_type": "platform", "stages": [1]})
    assert r.status_code == 422


def test_report_pdf_only_when_completed(browser, schemes):
    ent = browser("enterprise")
    scheme = schemes["offline_service"]
    r = ent.post("/stars/special/new", {"enterprise_type": "offline_service", "stages": stage_ids(scheme, "采购")})
    ev_id = int(r.headers["Location"].rsplit("/", 1)[-1])
    assert ent.get(f"/stars/special/{ev_id}/report.pdf").status_code == 404
    assert browser("agency").get("/stars/special/new").status_code == 403


def test_applying_and_completing_tasks_through_the_api(app, schemes):
    from tests.test_api import Api, PASSWORDS

    def client(username=None):
        c = Api(app)
        if username:
            c.token = c.post("/api/v1/tokens", {"username": username, "password": PASSWORDS[username]}).get_json()["token"]
        return c

    ent = client("enterprise")
    r = ent.post("/api/v1/cases", {"process": "star_upgrade", "data": {"enterprise_type": "platform", "target_level": 2}})
    assert r.status_code == 422 and r.get_json()["error"]["message"]
    assert client().post("/api/v1/cases", {"process": "star_upgrade",
                                           "data": {"enterprise_type": "platform", "target_level": 1}}).status_code == 403
    r = ent.post("/api/v1/cases", {"process": "star_upgrade", "data": {"enterprise_type": "platform", "target_level": 1}})
    assert r.status_code == 201, r.get_json()
    case_id = r.get_json()["id"]
    [task] = open_task(case_id, "self_assessment")
    # the self-assessment task refuses completion while indicators are unscored
    r = ent.post(f"/api/v1/tasks/{task.id}/complete", {"confirm": True})
    assert r.status_code == 422 and "confirm" in r.get_json()["error"]["fields"]
