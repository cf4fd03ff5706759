"""Scheme settings pages (administrators), overview pages per role, bad input and CSRF."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.stars import catalogue
from app.stars.models import EvaluationScheme


@pytest.fixture
def scheme(app):
    [s] = catalogue.load_catalogue(types={"platform"})
    db.session.commit()
    return s


def weights_form(s, values):
    return {f"w_{d.id}": values[d.name] for d in catalogue.performance_dimensions(s)}


GOOD = {"企业信用": "30", "质量保证能力": "20", "市场实力": "10", "需求匹配能力": "15", "云能力": "25"}


def test_admin_sets_weights_by_name_and_a_frozen_scheme_gets_a_new_version(browser, scheme):
    admin = browser("admin")
    assert "工业互联网平台类 v1" in admin.get("/stars/").get_data(as_text=True)
    r = admin.post(f"/stars/schemes/{scheme.id}", weights_form(scheme, {**GOOD, "云能力": "24.9"}))
    assert r.status_code == 422 and "99.9" in r.get_data(as_text=True) and 'value="24.9"' in r.get_data(as_text=True)
    r = admin.post(f"/stars/schemes/{scheme.id}", weights_form(scheme, GOOD))
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/stars/schemes/{scheme.id}")
    db.session.expire_all()
    assert {d.name: str(d.weight) for d in catalogue.performance_dimensions(scheme)}["市场实力"] == "10.00"

    # an application freezes the scheme; the next change is a new version, the old one stays
    browser("enterprise").post("/stars/apply", {"enterprise_type": "platform", "target_level": 1})
    r = admin.post(f"/stars/schemes/{scheme.id}", weights_form(scheme, {**GOOD, "企业信用": "25", "云能力": "30"}))
    assert r.status_code == 303
    db.session.expire_all()
    new = catalogue.latest_scheme("platform")
    assert new.version == 2 and r.headers["Location"].endswith(f"/stars/schemes/{new.id}")
    assert {d.name: str(d.weight) for d in catalogue.performance_dimensions(scheme)}["企业信用"] == "30.00"
    assert {d.name: str(d.weight) for d in catalogue.performance_dimensions(new)}["企业信用"] == "25.00"


def test_admin_sets_indicator_points_summing_to_1000(browser, scheme):
    admin = browser("admin")
    d = next(x for x in scheme.dimensions if x.table_id == "A.4")  # 11 indicators
    form = {f"p_{i.id}": i.points for i in d.indicators}
    first = d.indicators[0]
    r = admin.post(f"/stars/schemes/{scheme.id}/dimensions/{d.id}", {**form, f"p_{first.id}": "abc"})
    assert r.status_code == 422
    r = admin.post(f"/stars/schemes/{scheme.id}/dimensions/{d.id}", {**form, f"p_{first.id}": "100"})
    assert r.status_code == 422 and "1009" in r.get_data(as_text=True)
    second = d.indicators[1]
    r = admin.post(f"/stars/schemes/{scheme.id}/dimensions/{d.id}",
                   {**form, f"p_{first.id}": "100", f"p_{second.id}": str(second.points - 9)})
    assert r.status_code == 303
    db.session.expire_all()
    assert sum(i.points for i in d.indicators) == 1000 and d.indicators[0].points == 100


@pytest.mark.parametrize("user", ["enterprise", "certifier", "handler", "expert1"])
def test_only_administrators_change_schemes(browser, scheme, user):
    b = browser(user)
    assert b.get(f"/stars/schemes/{scheme.id}").status_code == 403
    assert b.post(f"/stars/schemes/{scheme.id}", weights_form(scheme, GOOD)).status_code == 403
    assert db.session.scalar(select(EvaluationScheme.frozen_at).where(EvaluationScheme.id == scheme.id)) is None


def test_overview_pages_per_role(browser, scheme):
    for user in ("admin", "handler", "enterprise", "certifier"):
        assert browser(user).get("/stars/").status_code == 200
    assert browser("enterprise").get("/stars/apply").status_code == 200
    assert browser().get("/stars/public").status_code == 200
    assert browser().get("/stars/").status_code == 302  # log in first


def test_posts_need_the_csrf_token(browser, scheme):
    b = browser("enterprise")
    r = b.client.post("/stars/apply", data={"enterprise_type": "platform", "target_level": 1})
    assert r.status_code == 400


def test_bad_application_input_keeps_the_form(browser, scheme):
    r = browser("enterprise").post("/stars/apply", {"enterprise_type": "platform", "target_level": "七"})
    assert r.status_code == 422 and "七" in r.get_data(as_text=True)
