"""Star rating rules of T11/AII 001-2020 (工业互联网上云企业履约能力评价要求) as pure functions.

Nothing here touches the database or the web: values in, decisions (with their reasons) out.
Scores are ``Decimal`` and compared exactly, so 499.99 is below 500 and 59.9 % below 60 %.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from ..scoring.bands import Band as Range, BandTable, OutsideBands

# --- the catalogue's vocabulary --------------------------------------------------------------

# Enterprise types (3.6-3.12) with the appendix that lists their indicators.
ENTERPRISE_TYPES = {
    "platform": ("工业互联网平台类", "industrial internet platform enterprises", "A"),
    "offline_service": ("线下服务类", "offline service enterprises", "B"),
    "project": ("项目经营类", "project management enterprises", "C"),
    "odm_oem": ("ODM/OEM类", "ODM/OEM enterprises", "D"),
    "business_service": ("商业服务类", "business service enterprises", "E"),
    "technical_service": ("技术服务类", "technical service enterprises", "F"),
}
TYPE_BY_CHINESE = {zh: code for code, (zh, _en, _app) in ENTERPRISE_TYPES.items()}

# The five dimensions (大项) in the order of Table 2 (表 2 综合评价得分计算方法). The appendices
# list 需求匹配能力 before 市场实力, Table 2 the other way round: weights are bound by name.
DIMENSIONS = ("企业信用", "质量保证能力", "市场实力", "需求匹配能力", "云能力")
# Stages of the special-capability evaluation (专项能力评价, 4.2.3).
SPECIAL_STAGES = ("研发", "采购", "生产和服务提供", "监测", "销售", "物流", "售后")

PERFORMANCE = "performance"  # 履约能力
SPECIAL = "special"          # 专项能力
KIND_BY_CHINESE = {"履约能力": PERFORMANCE, "专项能力": SPECIAL}

ONLINE, OFFLINE, COMBINED = "online", "offline", "combined"  # 线上 / 线下 / 线上与线下结合
CATEGORY_BY_CHINESE = {"线上": ONLINE, "线下": OFFLINE, "结合": COMBINED}

DIMENSION_MAXIMUM = 1000  # 每个单项满分 1000 分
HUNDRED = Decimal(100)


# --- scheme settings: weights and points -----------------------------------------------------

def even_points(count: int, total: int = DIMENSION_MAXIMUM) -> list[int]:
    """Split ``total`` points evenly over ``count`` indicators in whole points, by largest
    remainder: every indicator gets ``total // count``, and the ``total % count`` leftover points
    go one each to the first indicators in catalogue order (all remainders are equal, so order
    breaks the tie). The sum is always exactly ``total``."""
    if count <= 0:
        return []
    base, extra = divmod(total, count)
    return [base + 1 if i < extra else base for i in range(count)]


def default_weights() -> dict[str, Decimal]:
    """The standard gives no weights (5.2.2: 行业调研和数据建模); default: equal, 20 % each."""
    return {name: Decimal(20) for name in DIMENSIONS}


def weight_problems(weights: dict[str, Decimal]) -> list[str]:
    """What is wrong with a set of dimension weights (percent), or [] when it is valid."""
    problems = []
    missing = [n for n in DIMENSIONS if n not in weights]
    unknown = [n for n in weights if n not in DIMENSIONS]
    if missing:
        problems.append("missing dimensions: " + ", ".join(missing))
    if unknown:
        problems.append("unknown dimensions: " + ", ".join(unknown))
    if any(Decimal(w) < 0 for w in weights.values()):
        problems.append("a weight is negative")
    total = sum((Decimal(w) for w in weights.values()), Decimal(0))
    if total != HUNDRED:
        problems.append(f"weights add up to {total} %, not 100 %")
    return problems


def points_problems(points: list[int], total: int = DIMENSION_MAXIMUM) -> list[str]:
    problems = []
    if any(p < 0 for p in points):
        problems.append("points may not be negative")
    if sum(points) != total:
        problems.append(f"points add up to {sum(points)}, not {total}")
    return problems


# --- Table 4: scoring coefficients -----------------------------------------------------------

@dataclass(frozen=True)
class Band:
    number: int
    low: Decimal
    high: Decimal
    description: str  # 要点 (Table 4), first bullet


BANDS = (
    Band(1, Decimal(0), Decimal(20), "在该评分项要求中水平很差，或没有描述结果，或结果很差"),
    Band(2, Decimal(20), Decimal(40), "在该评分项要求中结果很少，或在少数方面有一些改进和(或)处于初期绩效水平"),
    Band(3, Decimal(40), Decimal(60), "在该评分项要求的多数方面有改进和(或)良好水平"),
    Band(4, Decimal(60), Decimal(80), "在该评分项要求的大多数方面有改进趋势和(或)良好水平"),
    Band(5, Decimal(80), Decimal(100), "在该评分项要求重要的大多数方面，当前结果／水平／绩效达到优良水平"),
)


class CoefficientError(ValueError):
    pass


# Shared bounds belong to the lower band (20 % is the top of 0-20 %): each band is (low, high]
# and the first [0, 20]; below 0 % and above 100 % is no coefficient.
COEFFICIENT_BANDS = BandTable(Range(b.low, b.high, b.number == 1, True, b) for b in BANDS)


def band_of(coefficient) -> Band:
    """The band of a coefficient (percent): [0, 20], (20, 40], (40, 60], (60, 80], (80, 100]."""
    c = Decimal(str(coefficient))
    try:
        return COEFFICIENT_BANDS.lookup(c)
    except OutsideBands:
        raise CoefficientError(f"coefficient {c} % is outside 0-100 %") from None


def earned(coefficient, points: int) -> Decimal:
    """Points an indicator earns: coefficient × indicator points (评分系数 × 分值)."""
    band_of(coefficient)  # validates the range
    return Decimal(str(coefficient)) * Decimal(points) / HUNDRED


# --- single-item stars (Table 1) -------------------------------------------------------------

SINGLE_ITEM_THRESHOLDS = ((5, Decimal(900)), (4, Decimal(800)), (3, Decimal(700)), (2, Decimal(600)),
                          (1, Decimal(500)))
# Table 1 as bands: a threshold is the closed lower edge of its level ("≥ 500"); below 500 none.
SINGLE_ITEM_BANDS = BandTable(
    [Range(None, Decimal(500), False, False, 0)]
    + [Range(threshold, upper, True, False, level) for (level, threshold), upper in
       zip(SINGLE_ITEM_THRESHOLDS, [None] + [t for _l, t in SINGLE_ITEM_THRESHOLDS[:-1]])])


def single_item_star(score) -> int:
    """Table 1: ≥500 one star, ≥600 two, ≥700 three, ≥800 four, ≥900 five; below 500 none (0)."""
    return SINGLE_ITEM_BANDS.lookup(Decimal(str(score)))


# --- composite score and stars (Tables 2 and 3) ----------------------------------------------

def composite_score(dimension_scores: dict[str, Decimal], weights: dict[str, Decimal]) -> Decimal:
    """S = Σ S_i × X_i, the weights X_i in percent and matched to the scores by dimension name."""
    problems = weight_problems(weights)
    if problems:
        raise ValueError("; ".join(problems))
    return sum((Decimal(str(dimension_scores.get(n, 0))) * Decimal(str(weights[n])) / HUNDRED
                for n in DIMENSIONS), Decimal(0))


ONLINE_SHARE = {1: Decimal(60), 2: Decimal(65), 3: Decimal(70)}  # Table 3, 一至三星级
FULL_THRESHOLD = {4: Decimal(800), 5: Decimal(900)}               # Table 3, 四、五星级


@dataclass
class Line:
    """One indicator in an explanation."""
    code: str
    category: str | None
    points: int
    coefficient: Decimal | None
    earned: Decimal
    band: int | None = None
    text: str = ""


@dataclass
class DimensionResult:
    name: str
    weight: Decimal
    score: Decimal          # S_i over every indicator (unscored ones earn 0)
    online_score: Decimal
    online_maximum: int
    lines: list[Line] = field(default_factory=list)

    @property
    def online_share(self) -> Decimal | None:
        """Online score as percent of the online maximum; None when the dimension has no online indicator."""
        if not self.online_maximum:
            return None
        return self.online_score * HUNDRED / Decimal(self.online_maximum)

    @property
    def single_star(self) -> int:
        return single_item_star(self.score)


@dataclass
class Check:
    """One composite-star rule applied: which level, whether it holds, and why."""
    level: int
    met: bool
    reasons: list[str]


def dimension_result(name: str, weight, items) -> DimensionResult:
    """``items``: (code, category, points, coefficient or None[, text]) for every indicator of the dimension."""
    lines, score, online_score, online_max = [], Decimal(0), Decimal(0), 0
    for item in items:
        code, category, points, coefficient = item[:4]
        text = item[4] if len(item) > 4 else ""
        got = earned(coefficient, points) if coefficient is not None else Decimal(0)
        lines.append(Line(code, category, points, None if coefficient is None else Decimal(str(coefficient)), got,
                          band_of(coefficient).number if coefficient is not None else None, text))
        score += got
        if category == ONLINE:
            online_score += got
            online_max += points
    return DimensionResult(name, Decimal(str(weight)), score, online_score, online_max, lines)


def check_level(level: int, dimensions: list[DimensionResult], composite: Decimal) -> Check:
    """Table 3 for one level, with one reason per condition ("name: value ≥/< threshold"; for 1-3
    stars the value is online score / online maximum = share). 1-3 stars: in ALL five dimensions the online indicators reach
    60/65/70 % of that dimension's online maximum (a dimension without online indicators sets no
    condition). 4-5 stars: S ≥ 800/900 over all indicators and every S_i ≥ 800/900."""
    reasons, met = [], True
    if level in ONLINE_SHARE:
        need = ONLINE_SHARE[level]
        for d in dimensions:
            share = d.online_share
            if share is None:
                reasons.append(f"{d.name}: —")
                continue
            ok = share >= need
            met &= ok
            reasons.append(f"{d.name}: {fmt(d.online_score)} / {d.online_maximum} = {fmt(share)} % "
                           f"{'≥' if ok else '<'} {need} %")
    elif level in FULL_THRESHOLD:
        need = FULL_THRESHOLD[level]
        ok = composite >= need
        met &= ok
        reasons.append(f"S = {fmt(composite)} {'≥' if ok else '<'} {need}")
        for d in dimensions:
            ok = d.score >= need
            met &= ok
            reasons.append(f"{d.name}: S_i = {fmt(d.score)} {'≥' if ok else '<'} {need}")
    else:
        raise ValueError(f"no star level {level}")
    return Check(level, met, reasons)


@dataclass
class Evaluation:
    """The full, explainable result of scoring one application."""
    dimensions: list[DimensionResult]
    composite: Decimal
    checks: list[Check]
    target_level: int
    awarded_level: int | None      # the target when its rule holds, else None
    single_item_stars: dict[str, int] | None  # only with an on-site review (6.2)
    deciding_rule: str

    def as_dict(self) -> dict:
        out = _jsonable(asdict(self))
        for row, dim in zip(out["dimensions"], self.dimensions):
            row["online_share"] = fmt(dim.online_share) if dim.online_share is not None else None
            row["single_star"] = dim.single_star
        return out


def evaluate(dimensions: list[DimensionResult], target_level: int, with_onsite: bool) -> Evaluation:
    """Score an application for ``target_level``: composite S, every level's rule, and the decision."""
    names = [d.name for d in dimensions]
    if sorted(names) != sorted(DIMENSIONS):
        raise ValueError(f"an evaluation needs the five dimensions, got {names}")
    weights = {d.name: d.weight for d in dimensions}
    composite = composite_score({d.name: d.score for d in dimensions}, weights)
    checks = [check_level(level, dimensions, composite) for level in range(1, 6)]
    target = checks[target_level - 1]
    rule = f"{target_level}★ ✓" if target.met else \
        f"{target_level}★ ✗ " + "; ".join(r for r in target.reasons if " < " in r)
    return Evaluation(dimensions, composite, checks, target_level, target_level if target.met else None,
                      {d.name: d.single_star for d in dimensions} if with_onsite else None, rule)


# --- applying (clause 6) ---------------------------------------------------------------------

ONSITE_FROM_LEVEL = 4  # 6.1: four and five stars need an on-site review by a third-party body


def needs_onsite(target_level: int) -> bool:
    return target_level >= ONSITE_FROM_LEVEL


def application_problem(current_level: int, target_level: int, *, blacklisted: bool,
                        allow_skipping: bool = False) -> str | None:
    """Why an enterprise may not apply for ``target_level``, or None. 6.1: an enterprise
    without a star applies for one star only; no skipping (with ``allow_skipping`` a starred
    enterprise may go from 1 to 3 or from 3 to 5 within the same path, never from none to more
    than one); an enterprise on the blacklist may not apply."""
    if blacklisted:
        return "blacklisted"
    if not 1 <= target_level <= 5:
        return "no_such_level"
    if target_level <= current_level:
        return "not_an_upgrade"
    if current_level == 0 and target_level != 1:
        return "first_one_star"
    if target_level == current_level + 1:
        return None
    if allow_skipping and (current_level, target_level) in {(1, 3), (3, 5)}:
        return None
    return "no_skipping"


# --- annual supervision (clause 8) -----------------------------------------------------------

def next_supervision_due(awarded_at, now, interval_days: int = 365):
    """The next supervision review: the first award anniversary (every ``interval_days`` from the
    award date) after ``now``; 8 says at least once a year."""
    from datetime import timedelta
    step = timedelta(days=interval_days)
    due = awarded_at + step
    while due <= now:
        due += step
    return due


# --- helpers ---------------------------------------------------------------------------------

def fmt(value) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _jsonable(value):
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
