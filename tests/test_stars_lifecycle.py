"""Star upgrades and annual supervision through HTTP, with the clock moved."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.engine import clock
from app.engine.models import Case, WorkTask
from app.extensions import db
from app.stars import catalogue, services
from app.stars.models import EnterpriseStar, IndicatorScore, StarApplication, SupervisionOutcome
from tests.conftest import at

pytestmark = pytest.mark.lifecycle

ENTERPRISE = "东海精密制造股份有限公司"


@pytest.fixture
def platform_scheme(app):
    [scheme] = catalogue.load_catalogue(types={"platform"})
    db.session.commit()
    return scheme


def open_task(case_id, spec_name):
    db.session.expire_all()
    return db.session.scalars(select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.spec_name == spec_name,
                                                     WorkTask.status == "open")).all()


def complete(b, task, data, expect=302):
    r = b.post(f"/tasks/{task.id}", data)
    assert r.status_code == expect, r.get_data(as_text=True)[-2500:]
    return r


def apply(b, level, expect=303, enterprise_type="platform"):
    r = b.post("/stars/apply", {"enterprise_type": enterprise_type, "target_level": level})
    assert r.status_code == expect, r.get_data(as_text=True)[-2000:]
    if expect == 303:
        return db.session.get(StarApplication, int(r.headers["Location"].rsplit("/", 1)[-1]))
    return r.get_data(as_text=True)


def score(b, application, stage, value, only=None, expect=303):
    """Post a coefficient for every indicator of ``stage`` in each dimension (or ``only`` these names)."""
    db.session.expire_all()
    for d in services.dimensions_of(application):
        if only and d.name not in only:
            continue
        data = {f"c_{i.id}": (value(i) if callable(value) else value) for i in services.stage_indicators(d, stage)}
        data.update({f"n_{i.id}": "依据平台数据" for i in services.stage_indicators(d, stage)})
        r = b.post(f"/stars/applications/{application.id}/dimensions/{d.id}", data)
        assert r.status_code == expect, r.get_data(as_text=True)[-2000:]


def test_one_star_by_online_self_assessment_verified_and_awarded(browser, platform_scheme, orgs):
    ent, admin = browser("enterprise"), browser("admin")
    a = apply(ent, 1)
    assert a.with_onsite is False and a.scheme_id == platform_scheme.id
    assert db.session.get(type(platform_scheme), platform_scheme.id).frozen_at is not None  # in use: frozen
    [task] = open_task(a.case_id, "self_assessment")

    # a draft of one dimension shows as progress; submitting early is refused with what is missing
    score(ent, a, "self", 60, only={"企业信用"})
    page = ent.get(f"/stars/applications/{a.id}").get_data(as_text=True)
    assert "51 / 51" in page and "0 / 74" in page
    r = complete(ent, task, {"confirm": "y"}, expect=422)
    assert "96" in r.get_data(as_text=True)  # 11 + 4 + 7 + 74 online indicators left

    # bad input keeps what was typed
    d = services.dimensions_of(a)[1]
    first = services.stage_indicators(d, "self")[0]
    r = ent.post(f"/stars/applications/{a.id}/dimensions/{d.id}", {f"c_{first.id}": "101", f"n_{first.id}": "草稿说明"})
    assert r.status_code == 422 and "草稿说明" in r.get_data(as_text=True)

    # evidence per indicator
    from io import BytesIO
    r = ent.post(f"/stars/applications/{a.id}/dimensions/{d.id}",
                 {f"c_{first.id}": "60", f"e_{first.id}": (BytesIO(b"%PDF-1.4 report"), "质量报告.pdf")},
                 content_type="multipart/form-data")
    assert r.status_code == 303
    assert "质量报告.pdf" in ent.get(f"/stars/applications/{a.id}/dimensions/{d.id}").get_data(as_text=True)

    score(ent, a, "self", 60)
    complete(ent, task, {"confirm": "y"})
    # the enterprise cannot change its scores during verification
    assert ent.post(f"/stars/applications/{a.id}/dimensions/{d.id}", {f"c_{first.id}": "100"}).status_code == 403

    # the reviewer sees the evidence and the self-assessed values
    page = admin.get(f"/stars/applications/{a.id}/dimensions/{d.id}").get_data(as_text=True)
    assert "质量报告.pdf" in page and 'name="e_' not in page
    [verify] = open_task(a.case_id, "verify_online")
    complete(admin, verify, {"verification": "verified"})
    [award] = open_task(a.case_id, "award")
    html = admin.get(f"/stars/applications/{a.id}/explanation").get_data(as_text=True)
    assert "1★ ✓" in html and "A.1-01" in html
    complete(admin, award, {"award_decision": "award", "award_note": "线上指标均达到60%"})

    db.session.expire_all()
    s = db.session.scalar(select(EnterpriseStar).where(EnterpriseStar.enterprise_id == orgs[ENTERPRISE].id))
    assert s.level == 1 and s.single_item_stars is None
    assert db.session.get(StarApplication, a.id).status == "awarded"
    supervision = db.session.get(Case, s.supervision_case_id)
    assert supervision.status == "running"
    assert abs(supervision.next_timer_at - (s.awarded_at + timedelta(days=365))) < timedelta(seconds=1)
    assert (s.awarded_at + timedelta(days=365) + timedelta(hours=8)).strftime("%Y-%m-%d") in \
        ent.get("/stars/").get_data(as_text=True)  # next review shown to the enterprise (Beijing time)
    assert "1★" in browser().get("/stars/public").get_data(as_text=True)
    # the next application is for two stars, not three
    assert "星级不可越级申请" in apply(ent, 3, expect=422)


def test_verifier_corrects_a_score_and_the_rule_then_fails(browser, platform_scheme):
    ent, admin = browser("enterprise"), browser("admin")
    a = apply(ent, 1)
    score(ent, a, "self", 60)
    [task] = open_task(a.case_id, "self_assessment")
    complete(ent, task, {"confirm": "y"})
    # the reviewer finds the platform data lower for one cloud indicator: 云能力 falls just below 60 %
    db.session.expire_all()
    cloud = next(d for d in services.dimensions_of(a) if d.name == "市场实力")  # 7 online indicators, 143/143/.../142
    first = services.stage_indicators(cloud, "verify")[0]
    r = admin.post(f"/stars/applications/{a.id}/dimensions/{cloud.id}", {f"c_{first.id}": "59"})
    assert r.status_code == 303
    [verify] = open_task(a.case_id, "verify_online")
    complete(admin, verify, {"verification": "verified"})
    [award] = open_task(a.case_id, "award")
    db.session.expire_all()
    result = db.session.get(StarApplication, a.id).explanation
    assert result["awarded_level"] is None and "市场实力" in result["deciding_rule"]
    # other online scores were accepted as self-assessed
    assert db.session.scalar(select(IndicatorScore).where(IndicatorScore.indicator_id == first.id)).verified_coefficient == 59
    assert "1★ ✗ 市场实力" in admin.get(f"/tasks/{award.id}").get_data(as_text=True)  # the rule, on the decision form
    r = complete(admin, award, {"award_decision": "award"}, expect=422)
    complete(admin, award, {"award_decision": "refuse", "award_note": "市场实力线上得分未达60%"})
    db.session.expire_all()
    assert db.session.get(StarApplication, a.id).status == "refused"
    assert services.standing(a.enterprise_id).level == 0


def test_returned_for_correction(browser, platform_scheme):
    ent, admin = browser("enterprise"), browser("admin")
    a = apply(ent, 1)
    score(ent, a, "self", 70)
    complete(ent, open_task(a.case_id, "self_assessment")[0], {"confirm": "y"})
    [verify] = open_task(a.case_id, "verify_online")
    complete(admin, verify, {"verification": "returned"}, expect=422)  # a return needs a note
    complete(admin, verify, {"verification": "returned", "verification_note": "请补充云能力证据"})
    assert open_task(a.case_id, "self_assessment")
    db.session.expire_all()
    assert db.session.get(StarApplication, a.id).status == "self_assessment"


def test_who_may_apply_and_see(browser, platform_scheme, orgs):
    ent, other, certifier = browser("enterprise"), browser("enterprise2"), browser("certifier")
    assert "只能先申请一星级" in apply(ent, 2, expect=422)
    a = apply(ent, 1)
    assert other.get(f"/stars/applications/{a.id}").status_code == 404
    assert certifier.get(f"/stars/applications/{a.id}").status_code == 404
    assert other.get(f"/cases/{a.case_id}").status_code == 404
    assert browser("agency").get("/stars/apply").status_code == 403
    assert browser("admin").get(f"/stars/applications/{a.id}").status_code == 200
    # one application at a time
    assert apply(ent, 1, expect=422)
    # another enterprise cannot score or submit it
    d = services.dimensions_of(a)[0]
    i = services.stage_indicators(d, "self")[0]
    assert other.post(f"/stars/applications/{a.id}/dimensions/{d.id}", {f"c_{i.id}": "50"}).status_code == 404
    [task] = open_task(a.case_id, "self_assessment")
    assert other.post(f"/tasks/{task.id}", {"confirm": "y"}).status_code in (403, 404)
    # the administrator sees the application but does not self-assess for the enterprise
    assert browser("admin").post(f"/stars/applications/{a.id}/dimensions/{d.id}",
                                 {f"c_{i.id}": "50"}).status_code == 403
    score(ent, a, "self", 80)
    complete(ent, task, {"confirm": "y"})
    [verify] = open_task(a.case_id, "verify_online")
    for name in ("enterprise", "certifier", "handler"):
        assert browser(name).post(f"/tasks/{verify.id}", {"verification": "verified"}).status_code in (403, 404)
    assert open_task(a.case_id, "verify_online")


def make_starred(org, level, when):
    """An enterprise holding ``level`` stars since ``when`` (as an award leaves it)."""
    with clock.frozen(when):
        s = EnterpriseStar(enterprise_id=org.id, enterprise_type="platform", level=level, awarded_at=clock.utcnow())
        db.session.add(s)
        db.session.flush()
        services._ensure_supervision(s)
        db.session.commit()
    return s


def test_four_stars_need_the_on_site_review_by_a_certification_body(browser, platform_scheme, orgs, users):
    make_starred(orgs[ENTERPRISE], 3, at("2026-03-02T10:00"))
    ent, admin, certifier = browser("enterprise"), browser("admin"), browser("certifier")
    a = apply(ent, 4)
    assert a.with_onsite
    score(ent, a, "self", 90)
    complete(ent, open_task(a.case_id, "self_assessment")[0], {"confirm": "y"})
    [verify] = open_task(a.case_id, "verify_online")
    complete(admin, verify, {"verification": "verified"}, expect=422)  # a certification body must be chosen
    complete(admin, verify, {"verification": "verified", "certifier_org_id": orgs["中正认证评价中心"].id})
    [onsite] = open_task(a.case_id, "onsite_review")
    assert onsite.candidate_org_id == orgs["中正认证评价中心"].id
    assert certifier.get(f"/stars/applications/{a.id}").status_code == 200
    # offline and combined indicators: 80 % everywhere, except the cloud dimension at 90 %
    score(certifier, a, "onsite", lambda i: 90 if i.dimension.name == "云能力" else 80)
    complete(certifier, onsite, {"onsite_summary": "现场核查完成"})
    [award] = open_task(a.case_id, "award")
    assert ent.get(f"/stars/applications/{a.id}/certificate.pdf").status_code == 404  # not awarded yet
    db.session.expire_all()
    result = db.session.get(StarApplication, a.id).explanation
    assert result["awarded_level"] == 4
    assert result["single_item_stars"]["云能力"] == 5 and result["single_item_stars"]["企业信用"] == 4
    complete(admin, award, {"award_decision": "award", "award_note": "符合四星级要求"})
    db.session.expire_all()
    s = services.standing(orgs[ENTERPRISE].id)
    assert s.level == 4 and s.single_item_stars["云能力"] == 5
    html = ent.get(f"/stars/applications/{a.id}/explanation").get_data(as_text=True)
    assert "4★ ✓" in html
    pdf = ent.get(f"/stars/applications/{a.id}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert browser("enterprise2").get(f"/stars/applications/{a.id}/certificate.pdf").status_code == 404


def test_annual_supervision_timer_spot_check_and_blacklist(app, browser, platform_scheme, orgs):
    org = orgs[ENTERPRISE]
    awarded = at("2026-03-02T10:00")
    s = make_starred(org, 3, awarded)
    admin = browser("admin")
    annual = db.session.get(Case, s.supervision_case_id)
    runner = app.test_cli_runner()

    # nothing before the anniversary, the review after it
    runner.invoke(args=["engine", "tick", "--at", "2027-03-01T10:00"])
    assert not open_task(annual.id, "review")
    runner.invoke(args=["engine", "tick", "--at", "2027-03-02T10:01"])
    [review] = open_task(annual.id, "review")
    clock.travel_to(at("2027-03-05T09:00"))
    complete(admin, review, {"outcome": "keep", "reasons": "年度审查：各项指标保持"})
    db.session.expire_all()
    assert db.session.get(Case, annual.id).next_timer_at.date().isoformat() == "2028-03-01"  # 2026-03-02 + 2 × 365 days

    # a spot-check at any time lowers the star, with reasons, published
    r = admin.post(f"/stars/enterprises/{org.id}/spot-check")
    assert r.status_code == 303
    spot_id = int(r.headers["Location"].rsplit("/", 1)[-1])
    [spot] = open_task(spot_id, "review")
    complete(admin, spot, {"outcome": "lower", "new_level": "3", "reasons": "x"}, expect=422)  # not lower
    complete(admin, spot, {"outcome": "lower", "new_level": "2", "reasons": "抽查发现云能力数据不实"})
    db.session.expire_all()
    assert services.standing(org.id).level == 2 and db.session.get(Case, spot_id).status == "completed"
    public = browser().get("/stars/public").get_data(as_text=True)
    assert "抽查发现云能力数据不实" in public and "3 → 2" in public

    # the next annual review puts the enterprise on the blacklist: star removed, supervision ends, no applying
    runner.invoke(args=["engine", "tick", "--at", "2028-03-02T09:00"])
    [review] = open_task(annual.id, "review")
    complete(admin, review, {"outcome": "blacklist", "reasons": "拒不整改"})
    db.session.expire_all()
    s = services.standing(org.id)
    assert s.level == 0 and s.blacklisted
    assert db.session.get(Case, annual.id).status == "completed"
    assert [o.outcome for o in db.session.scalars(select(SupervisionOutcome).order_by(SupervisionOutcome.id))] == \
        ["keep", "lower", "blacklist"]
    public = browser().get("/stars/public").get_data(as_text=True)
    assert "拒不整改" in public and org.name in public.split('id="blacklist"')[1]
    assert "已被纳入黑名单，不能申请星级" in apply(browser("enterprise"), 1, expect=422)

    # only an administrator takes it off the blacklist, with published reasons; then it may apply for one star
    assert browser("handler").post(f"/stars/enterprises/{org.id}/lift-blacklist", {"reasons": "x"}).status_code == 403
    admin.post(f"/stars/enterprises/{org.id}/lift-blacklist", {"reasons": ""})
    db.session.expire_all()
    assert services.standing(org.id).blacklisted
    assert admin.post(f"/stars/enterprises/{org.id}/lift-blacklist", {"reasons": "整改完成，经复核解除"}).status_code == 303
    db.session.expire_all()
    assert not services.standing(org.id).blacklisted
    assert "整改完成，经复核解除" in browser().get("/stars/public").get_data(as_text=True)
    assert apply(browser("enterprise"), 1).target_level == 1


def test_spot_check_removal_cancels_the_annual_case(app, browser, platform_scheme, orgs):
    org = orgs[ENTERPRISE]
    s = make_starred(org, 2, at("2026-03-02T10:00"))
    admin = browser("admin")
    assert browser("enterprise").post(f"/stars/enterprises/{org.id}/spot-check").status_code == 403
    r = admin.post(f"/stars/enterprises/{org.id}/spot-check")
    [spot] = open_task(int(r.headers["Location"].rsplit("/", 1)[-1]), "review")
    complete(admin, spot, {"outcome": "remove", "reasons": "不再符合星级要求"})
    db.session.expire_all()
    annual = db.session.get(Case, s.supervision_case_id or 0) or db.session.scalar(
        select(Case).where(Case.process_key == "annual_supervision", Case.id != spot.case_id))
    assert annual.status == "cancelled" and annual.next_timer_at is None
    assert services.standing(org.id).level == 0 and not services.standing(org.id).blacklisted
    # without the blacklist the enterprise may apply again, for one star
    assert apply(browser("enterprise"), 1).target_level == 1


def test_spot_check_lowering_withdraws_a_running_application_and_tells_the_enterprise(browser, platform_scheme, orgs,
                                                                                      users):
    from app.notifications.models import Notification
    org = orgs[ENTERPRISE]
    make_starred(org, 3, at("2026-03-02T10:00"))
    ent, admin = browser("enterprise"), browser("admin")
    a = apply(ent, 4)
    r = admin.post(f"/stars/enterprises/{org.id}/spot-check")
    [spot] = open_task(int(r.headers["Location"].rsplit("/", 1)[-1]), "review")
    complete(admin, spot, {"outcome": "lower", "new_level": "2", "reasons": "抽查发现质量保证记录缺失"})
    db.session.expire_all()
    a = db.session.get(StarApplication, a.id)
    assert a.status == "withdrawn" and a.case.status == "cancelled"
    assert not open_task(a.case_id, "self_assessment")
    assert "已撤销" in ent.get(f"/cases/{a.case_id}").get_data(as_text=True).split("<aside>")[0]
    kinds = [n.params.get("status") for n in db.session.scalars(
        select(Notification).where(Notification.user_id == users["enterprise"].id, Notification.kind == "case_update"))]
    assert "withdrawn" in kinds and "lower" in kinds
    # the next application starts from the lowered level
    assert apply(ent, 3).current_level == 2
