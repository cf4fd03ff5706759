"""The indicator catalogue loads whole into versioned schemes; scheme settings are checked and frozen schemes versioned."""
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.stars import catalogue, rules
from app.stars.models import EvaluationScheme, Indicator, SchemeDimension

YAML = catalogue.read_catalogue()


@pytest.fixture
def schemes(app):
    made = catalogue.load_catalogue(YAML)
    db.session.commit()
    return {s.enterprise_type: s for s in made}


def test_whole_catalogue_loads_with_counts_per_table(schemes):
    assert len(schemes) == 6
    assert db.session.scalar(select(func.count(Indicator.id))) == YAML["counts"]["indicators"] == 1591
    assert db.session.scalar(select(func.count(SchemeDimension.id))) == YAML["counts"]["tables"] == 61
    rows = dict(db.session.execute(select(SchemeDimension.table_id, func.count(Indicator.id))
                                   .join(Indicator).group_by(SchemeDimension.table_id)).all())
    assert rows == {t["table_id"]: t["rows"] for t in YAML["tables"]}
    assert rows["C1.2"] == 17 and rows["D2.6"] == 19 and rows["A.5"] == 92
    # categories per table match the source's category column
    expected = Counter((r["table_id"], rules.CATEGORY_BY_CHINESE.get(r["category"])) for r in YAML["indicators"])
    got = Counter(db.session.execute(select(SchemeDimension.table_id, Indicator.category).join(Indicator)).all())
    assert got == expected


def test_each_type_has_five_weighted_dimensions_and_its_stages(schemes):
    for code, scheme in schemes.items():
        perf = catalogue.performance_dimensions(scheme)
        assert sorted(d.name for d in perf) == sorted(rules.DIMENSIONS)
        assert sum(d.weight for d in perf) == 100
        assert all(d.weight is None for d in catalogue.special_stages(scheme))
    assert [d.name for d in catalogue.special_stages(schemes["odm_oem"])] == \
        ["研发", "采购", "生产和服务提供", "监测", "销售", "物流", "售后"]
    assert "物流" not in [d.name for d in catalogue.special_stages(schemes["platform"])]
    assert catalogue.special_stages(schemes["platform"]) == []  # appendix A has no special-capability tables


def test_points_split_evenly_to_exactly_1000(schemes):
    for scheme in schemes.values():
        for d in scheme.dimensions:
            points = [i.points for i in d.indicators]
            assert sum(points) == 1000, d.table_id
            assert max(points) - min(points) <= 1
    a1 = next(d for d in schemes["platform"].dimensions if d.table_id == "A.1")  # 61 rows: 1000 = 16×61 + 24
    assert [i.points for i in a1.indicators[:24]] == [17] * 24 and {i.points for i in a1.indicators[24:]} == {16}


def test_source_irregularities_are_kept(schemes):
    c12 = next(d for d in schemes["project"].dimensions if d.table_id == "C1.2")
    assert "ISO9001" in c12.note
    unnumbered = [i for i in c12.indicators if i.serial is None]
    assert [i.code for i in unnumbered] == ["C1.2-10+1", "C1.2-11+1"]
    d21 = next(d for d in schemes["odm_oem"].dimensions if d.table_id == "D2.1")
    assert {i.category for i in d21.indicators} == {None}


def test_loading_again_skips_existing_types_unless_forced(schemes):
    assert catalogue.load_catalogue(YAML) == []
    again = catalogue.load_catalogue(YAML, types={"platform"}, force=True)
    assert [(s.enterprise_type, s.version) for s in again] == [("platform", 2)]


def test_weights_are_bound_by_name_and_must_sum_to_100(schemes):
    scheme = schemes["platform"]
    weights = {"企业信用": 30, "质量保证能力": 20, "市场实力": 10, "需求匹配能力": 15, "云能力": 25}
    same = catalogue.apply_settings(scheme, weights=weights)
    assert same is scheme  # not frozen: changed in place
    by_name = {d.name: d.weight for d in catalogue.performance_dimensions(scheme)}
    assert by_name["市场实力"] == Decimal(10) and by_name["需求匹配能力"] == Decimal(15)
    with pytest.raises(catalogue.SettingsError, match="99.9"):
        catalogue.apply_settings(scheme, weights={**weights, "云能力": "24.9"})
    with pytest.raises(catalogue.SettingsError, match="unknown dimension"):
        catalogue.apply_settings(scheme, weights={"研发": 10})


def test_points_must_sum_to_1000_per_dimension(schemes):
    scheme = schemes["platform"]
    a4 = next(d for d in scheme.dimensions if d.table_id == "A.4")  # 11 indicators: 91×10 + 90
    first, second = a4.indicators[0], a4.indicators[1]
    with pytest.raises(catalogue.SettingsError, match="1001"):
        catalogue.apply_settings(scheme, points={first.code: first.points + 1})
    catalogue.apply_settings(scheme, points={first.code: first.points + 1, second.code: second.points - 1})
    assert sum(i.points for i in a4.indicators) == 1000 and first.points == 92


def test_frozen_scheme_changes_make_a_new_version(schemes):
    scheme = schemes["offline_service"]
    catalogue.freeze(scheme)
    new = catalogue.apply_settings(scheme, weights={"企业信用": 40, "质量保证能力": 15, "市场实力": 15,
                                                    "需求匹配能力": 15, "云能力": 15})
    db.session.commit()
    assert new.id != scheme.id and new.version == 2 and new.frozen_at is None
    assert {d.name: d.weight for d in catalogue.performance_dimensions(scheme)}["企业信用"] == 20
    assert {d.name: d.weight for d in catalogue.performance_dimensions(new)}["企业信用"] == 40
    assert sum(len(d.indicators) for d in new.dimensions) == sum(len(d.indicators) for d in scheme.dimensions)
    assert catalogue.latest_scheme("offline_service").id == new.id
    assert db.session.scalar(select(func.count(EvaluationScheme.id))) == 7


def test_cli_loads_catalogue(app):
    result = app.test_cli_runner().invoke(args=["stars", "load-catalogue"])
    assert result.exit_code == 0, result.output
    assert "platform v1: 5 tables, 210 indicators" in result.output
    assert db.session.scalar(select(func.count(Indicator.id))) == 1591
