"""Regions (行政区划): the shipped divisions, a region's subtree, organisations in a region."""
from app.extensions import db
from app.regions import queries
from app.regions.data import DIVISIONS
from app.regions.models import Region
from app.regions.operations import ensure_regions


def test_wenzhou_covers_its_twelve_divisions_and_a_county_only_itself(app):
    with app.app_context():
        wenzhou, lucheng, ruian = (queries.by_code(c) for c in ("330300", "330302", "330381"))
        under_city = queries.subtree_ids(wenzhou.id)
        assert len(under_city) == 13  # the city and its 4 districts, 5 counties, 3 county-level cities
        assert queries.covers(wenzhou.id, lucheng.id) and queries.covers(wenzhou.id, ruian.id)
        assert queries.covers(lucheng.id, lucheng.id)
        assert not queries.covers(lucheng.id, wenzhou.id) and not queries.covers(lucheng.id, ruian.id)
        assert not queries.covers(wenzhou.id, None) and queries.subtree_ids(None) == set()
        assert queries.covers(queries.by_code("330000").id, ruian.id)  # the province covers every county


def test_loading_again_adds_nothing_and_restores_a_changed_name(app):
    with app.app_context():
        count = db.session.query(Region).count()
        assert count == len(DIVISIONS)
        queries.by_code("330383").name = "renamed"
        assert ensure_regions() == 0
        assert queries.by_code("330383").name == "龙港市"
        assert db.session.query(Region).count() == count


def test_demo_enterprises_sit_in_their_county(app, orgs):
    with app.app_context():
        org = orgs["东海精密制造股份有限公司"]
        assert org.region.code == "330381"
        assert queries.covers(queries.by_code("330300").id, org.region_id)


def test_choices_in_each_language(app):
    with app.test_request_context("/api/v1/regions", headers={"Accept-Language": "en"}):
        labels = dict(queries.choices(blank="—"))
        assert labels[""] == "—"
        assert any("Rui'an" in v for v in labels.values())
        city = queries.by_code("330300")
        assert len(queries.choices(under=city.id)) == 13
