"""The indicator catalogue (附录 A-F of T11/AII 001-2020) as versioned evaluation schemes,
and the administrator's scheme settings (dimension weights, indicator points)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from sqlalchemy import func, select

from ..engine.audit import record
from ..engine.clock import utcnow
from ..extensions import db
from . import rules
from .models import EvaluationScheme, Indicator, SchemeDimension

CATALOGUE = Path(__file__).resolve().parent / "data" / "star-rating-indicators.yaml"


class SettingsError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_catalogue(path: Path | str = CATALOGUE) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def latest_scheme(enterprise_type: str) -> EvaluationScheme | None:
    return db.session.scalar(select(EvaluationScheme).where(EvaluationScheme.enterprise_type == enterprise_type)
                             .order_by(EvaluationScheme.version.desc()).limit(1))


def _next_version(enterprise_type: str) -> int:
    return (db.session.scalar(select(func.max(EvaluationScheme.version))
                              .where(EvaluationScheme.enterprise_type == enterprise_type)) or 0) + 1


def load_catalogue(data: dict | None = None, *, types=None, author_id=None, source: str = CATALOGUE.name,
                   force: bool = False) -> list[EvaluationScheme]:
    """Create an evaluation scheme per enterprise type from the catalogue (no commit). A type
    that already has a scheme is skipped unless ``force`` (then a new version is made).
    Points default to an even split of 1,000 per table; weights to 20 % per dimension."""
    data = data or read_catalogue()
    by_table: dict[str, list[dict]] = {}
    for row in data["indicators"]:
        by_table.setdefault(row["table_id"], []).append(row)
    created = []
    for type_code, (type_zh, _en, _appendix) in rules.ENTERPRISE_TYPES.items():
        if types and type_code not in types:
            continue
        if latest_scheme(type_code) is not None and not force:
            continue
        scheme = EvaluationScheme(enterprise_type=type_code, version=_next_version(type_code), source=source,
                                  created_by_id=author_id, created_at=utcnow(),
                                  comment=data.get("standard"))
        weights = rules.default_weights()
        tables = [t for t in data["tables"] if t["enterprise_type"] == type_zh]
        for position, table in enumerate(tables, start=1):
            kind = rules.KIND_BY_CHINESE[table["evaluation_kind"]]
            rows = sorted(by_table.get(table["table_id"], []), key=lambda r: r["seq"])
            dim = SchemeDimension(table_id=table["table_id"], title=table["table_title"], name=table["dimension"],
                                  name_en=rows[0]["dimension_en"] if rows else table["dimension"], kind=kind,
                                  position=position, weight=weights[table["dimension"]] if kind == rules.PERFORMANCE
                                  else None, note=table.get("note"), problems=table.get("problems") or None)
            for row, points in zip(rows, rules.even_points(len(rows))):
                dim.indicators.append(Indicator(
                    code=row["id"], serial=row["serial"], seq=row["seq"], level1=row["level1"],
                    level2=row["level2"], level3=row["level3"], content=row["content"],
                    category=rules.CATEGORY_BY_CHINESE.get(row["category"]) if row["category"] else None,
                    points=points, notes=row.get("notes") or None, source_line=row.get("source_line")))
            scheme.dimensions.append(dim)
        db.session.add(scheme)
        db.session.flush()
        record("stars.scheme_loaded", f"{type_zh} v{scheme.version}", actor_id=author_id,
               detail={"scheme_id": scheme.id, "indicators": sum(len(d.indicators) for d in scheme.dimensions)})
        created.append(scheme)
    return created


def performance_dimensions(scheme: EvaluationScheme) -> list[SchemeDimension]:
    return [d for d in scheme.dimensions if d.kind == rules.PERFORMANCE]


def special_stages(scheme: EvaluationScheme) -> list[SchemeDimension]:
    return [d for d in scheme.dimensions if d.kind == rules.SPECIAL]


def freeze(scheme: EvaluationScheme) -> None:
    if scheme.frozen_at is None:
        scheme.frozen_at = utcnow()
        record("stars.scheme_frozen", f"{scheme.enterprise_type} v{scheme.version}",
               detail={"scheme_id": scheme.id})


def copy_scheme(scheme: EvaluationScheme, author_id=None) -> EvaluationScheme:
    """A new, unfrozen version with the same indicators, weights and points."""
    new = EvaluationScheme(enterprise_type=scheme.enterprise_type, version=_next_version(scheme.enterprise_type),
                           source=scheme.source, comment=f"from v{scheme.version}", created_by_id=author_id,
                           created_at=utcnow())
    for d in scheme.dimensions:
        nd = SchemeDimension(table_id=d.table_id, title=d.title, name=d.name, name_en=d.name_en, kind=d.kind,
                             position=d.position, weight=d.weight, note=d.note, problems=d.problems)
        for i in d.indicators:
            nd.indicators.append(Indicator(code=i.code, serial=i.serial, seq=i.seq, level1=i.level1, level2=i.level2,
                                           level3=i.level3, content=i.content, category=i.category, points=i.points,
                                           notes=i.notes, source_line=i.source_line))
        new.dimensions.append(nd)
    db.session.add(new)
    db.session.flush()
    return new


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, AttributeError) as exc:
        raise SettingsError([f"not a number: {value!r}"]) from exc


def apply_settings(scheme: EvaluationScheme, *, weights: dict[str, object] | None = None,
                   points: dict[str, object] | None = None, author_id=None) -> EvaluationScheme:
    """Set dimension weights (by dimension name, percent, summing to 100) and indicator points
    (by indicator code, summing to 1,000 per dimension). A frozen scheme is never changed: the
    settings go to a new version, which is returned. Nothing is written when a check fails."""
    dims = {d.name: d for d in performance_dimensions(scheme)}
    new_weights = {name: d.weight for name, d in dims.items()}
    if weights:
        for name, value in weights.items():
            if name not in dims:
                raise SettingsError([f"unknown dimension: {name}"])
            new_weights[name] = _decimal(value)
        problems = rules.weight_problems(new_weights)
        if problems:
            raise SettingsError(problems)
    new_points = {}
    if points:
        codes = {i.code: i for d in scheme.dimensions for i in d.indicators}
        for code, value in points.items():
            if code not in codes:
                raise SettingsError([f"unknown indicator: {code}"])
            p = _decimal(value)
            if p != p.to_integral_value():
                raise SettingsError([f"{code}: points must be whole numbers"])
            new_points[code] = int(p)
        problems = []
        for d in scheme.dimensions:
            values = [new_points.get(i.code, i.points) for i in d.indicators]
            problems += [f"{d.table_id} {d.name}: {p}" for p in rules.points_problems(values)]
        if problems:
            raise SettingsError(problems)
    target = copy_scheme(scheme, author_id) if scheme.frozen_at else scheme
    for d in target.dimensions:
        if d.kind == rules.PERFORMANCE:
            d.weight = new_weights[d.name]
        for i in d.indicators:
            if i.code in new_points:
                i.points = new_points[i.code]
    record("stars.scheme_settings", f"{target.enterprise_type} v{target.version}", actor_id=author_id,
           detail={"scheme_id": target.id, "from_version": scheme.version,
                   "weights": {k: str(v) for k, v in (weights or {}).items()}, "points": new_points})
    return target
