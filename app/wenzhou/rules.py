"""The Wenzhou rules as plain functions (no HTTP, no database): eligibility of an application
(第五条), the 附件3 scores of the annual evaluation (业务绩效 50 + 企业评价 20 + 业务答辩 30) and the
top 10 (优秀服务机构), training events and their filing 10 working days ahead (第十三条), trainee
satisfaction, and conduct and exclusion (第十四条).

The points and bands of 附件3 are yearly data (:data:`STANDARDS`, one entry per version); an
evaluation keeps the version it was opened with. See docs/decisions.md, "Wenzhou programme".
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable

from dateutil.relativedelta import relativedelta

from ..scoring.bands import Band, BandTable, OutsideBands

# --- eligibility (第五条) ------------------------------------------------------------------

DIRECTIONS = ("consulting", "training")  # 诊断咨询 / 培训推广
ORGANISATION_FORMS = ("legal_person", "consortium", "branch_or_association")  # 独立法人 / 联合体 / 分支机构、社会组织
TITLES = ("none", "junior", "intermediate", "senior")  # 职称: 无 / 初级 / 中级 / 高级
DEGREES = ("none", "college", "bachelor", "master", "doctor")  # 学历
STRENGTHS_MAX_CHARS = 300  # 智能化专业技术服务产品及优势（限300字以内）


@dataclass(frozen=True)
class Staff:
    """One person of the staff list (人员): degree, title, years of work, based in Wenzhou."""
    name: str
    degree: str = "none"
    relevant_major: bool = False  # 智能制造相关专业
    title: str = "none"
    years_of_work: int = 0
    based_in_wenzhou: bool = False  # 常驻温州


@dataclass(frozen=True)
class Thresholds:
    """The year's performance thresholds (第五条（二）, adjusted by the bureau each year)."""
    consulting_projects: int = 2   # 上年度成功项目 ≥ 2
    training_events: int = 2       # 上年度培训活动 ≥ 2
    professionals: int = 3         # 常驻温州的中级及以上职称专业人员 ≥ 3


def valid_credit_code(code: str) -> bool:
    """统一社会信用代码 with its check digit (GB 32100-2015, ``stdnum.cn.uscc``)."""
    from stdnum.cn import uscc
    return bool(code) and uscc.is_valid(code)


def counts_as_intermediate(person: Staff) -> bool:
    """中级及以上职称, or its equivalent: a relevant bachelor's degree with 5 years' work, or a
    relevant master's (or doctorate) with 1 year (第五条（三）)."""
    if person.title in ("intermediate", "senior"):
        return True
    if not person.relevant_major:
        return False
    if person.degree == "bachelor":
        return person.years_of_work >= 5
    if person.degree in ("master", "doctor"):
        return person.years_of_work >= 1
    return False


def staff_counts(staff: Iterable[Staff]) -> dict[str, int]:
    """The counts of 附件1 derived from the staff list, never typed: based in Wenzhou,
    intermediate titles, senior titles, and the qualified professionals of 第五条（三）."""
    staff = list(staff)
    return {
        "based_in_wenzhou": sum(1 for s in staff if s.based_in_wenzhou),
        "intermediate_titles": sum(1 for s in staff if s.title == "intermediate"),
        "senior_titles": sum(1 for s in staff if s.title == "senior"),
        "qualified_in_wenzhou": sum(1 for s in staff if s.based_in_wenzhou and counts_as_intermediate(s)),
    }


@dataclass(frozen=True)
class Applicant:
    """What eligibility is computed from (附件1 and the staff list)."""
    organisation_form: str
    directions: frozenset
    consulting_projects_last_year: int = 0
    training_events_last_year: int = 0
    staff: tuple = ()
    quality_control: str = ""
    exception_reason: str = ""  # why a branch or association should be admitted (适当放宽条件)


def eligibility(applicant: Applicant, thresholds: Thresholds = Thresholds()) -> list[str]:
    """The unmet conditions of 第五条, as codes (empty: eligible)."""
    problems = []
    if applicant.organisation_form not in ORGANISATION_FORMS:
        problems.append("organisation_form")
    elif applicant.organisation_form == "branch_or_association" and not applicant.exception_reason.strip():
        problems.append("exception_reason")
    directions = set(applicant.directions)
    if not directions or not directions <= set(DIRECTIONS):
        problems.append("directions")
    if "consulting" in directions and applicant.consulting_projects_last_year < thresholds.consulting_projects:
        problems.append("consulting_projects")
    if "training" in directions and applicant.training_events_last_year < thresholds.training_events:
        problems.append("training_events")
    if staff_counts(applicant.staff)["qualified_in_wenzhou"] < thresholds.professionals:
        problems.append("professionals")
    if len(applicant.quality_control.strip()) < 20:
        problems.append("quality_control")
    return problems


# --- 附件3: the annual evaluation ------------------------------------------------------------

SATISFACTION_LEVELS = ("very_satisfied", "satisfied", "neutral", "dissatisfied")  # 非常满意/比较满意/一般/不满意
PROJECT_TYPES = ("diagnosis", "design")  # 诊断服务项目 / 方案设计服务项目

TWO = Decimal("0.01")


def _d(x) -> Decimal:
    return x if isinstance(x, Decimal) else Decimal(str(x))


def _bands(rows) -> BandTable:
    """Bands from yearly data rows ``[lower, upper, lower_closed, upper_closed, points]``."""
    return BandTable(Band(*row) for row in rows)


# Version "2025-1" is 附件3 as printed. Between two printed bands (60 % < rate < 61 %) a value
# belongs to the upper band: each printed band closes its upper edge ("含60%"), so the next one
# starts right after it. Below the lowest band (a pass rate under 50 %, a defence under 60) gives 0.
STANDARDS: dict[str, dict] = {
    "2025-1": {
        "points_per_project": {"diagnosis": 1, "design": 2},
        "projects_cap": 30,
        "pass_rate_bands": [  # percent, approved ÷ submitted
            [None, 50, False, False, 0],
            [50, 60, True, True, 2],
            [60, 70, False, True, 4],
            [70, 80, False, True, 6],
            [80, 90, False, True, 8],
            [90, 100, False, True, 10],
        ],
        "test_max": 10,
        "test_full_score": 100,
        "satisfaction_points": {"very_satisfied": 10, "satisfied": 8, "neutral": 5, "dissatisfied": 0},
        "defence_bands": [  # the defence score, 0-100
            [None, 60, False, False, 0],
            [60, 70, True, True, 15],
            [70, 80, False, True, 20],
            [80, 90, False, True, 25],
            [90, 100, False, True, 30],
        ],
        "excellent_count": 10,
    },
}
CURRENT_STANDARD = "2025-1"


@dataclass(frozen=True)
class Standard:
    version: str
    points_per_project: dict
    projects_cap: int
    pass_rate_bands: BandTable
    test_max: int
    test_full_score: int
    satisfaction_points: dict
    defence_bands: BandTable
    excellent_count: int

    @classmethod
    def from_data(cls, version: str, data: dict) -> "Standard":
        """A standard from its yearly data (checked: the bands tile without gaps or overlaps)."""
        return cls(version=version, points_per_project=dict(data["points_per_project"]),
                   projects_cap=int(data["projects_cap"]), pass_rate_bands=_bands(data["pass_rate_bands"]),
                   test_max=int(data["test_max"]), test_full_score=int(data["test_full_score"]),
                   satisfaction_points=dict(data["satisfaction_points"]),
                   defence_bands=_bands(data["defence_bands"]), excellent_count=int(data["excellent_count"]))


def standard(version: str = CURRENT_STANDARD) -> Standard:
    return Standard.from_data(version, STANDARDS[version])


@dataclass(frozen=True)
class Project:
    """A service reported in the system and reviewed (服务项目): one type each."""
    type: str
    approved: bool  # 经市、区两级经信部门评审合格


@dataclass
class Item:
    """One line of the explanation: what, the inputs, the points, the maximum."""
    key: str
    points: Decimal
    maximum: int
    detail: dict = field(default_factory=dict)


def project_points(projects: Iterable[Project], std: Standard) -> Item:
    """成功服务项目数量: 1 per approved diagnosis, 2 per approved design project, capped (30)."""
    projects = list(projects)
    counts = {t: sum(1 for p in projects if p.approved and p.type == t) for t in PROJECT_TYPES}
    raw = sum(counts[t] * std.points_per_project[t] for t in PROJECT_TYPES)
    return Item("projects", _d(min(raw, std.projects_cap)), std.projects_cap,
                {"diagnosis": counts["diagnosis"], "design": counts["design"], "raw": raw})


def pass_rate_points(projects: Iterable[Project], std: Standard) -> Item:
    """服务项目合格率: approved ÷ submitted in the bands; no submitted project gives 0."""
    projects = list(projects)
    submitted, approved = len(projects), sum(1 for p in projects if p.approved)
    maximum = max(b.result for b in std.pass_rate_bands)
    if submitted == 0:
        return Item("pass_rate", Decimal(0), maximum, {"submitted": 0, "approved": 0, "rate": None})
    rate = Decimal(approved * 100) / Decimal(submitted)
    return Item("pass_rate", _d(std.pass_rate_bands.lookup(rate)), maximum,
                {"submitted": submitted, "approved": approved, "rate": rate.quantize(TWO, ROUND_HALF_UP)})


def test_points(score, std: Standard) -> Item:
    """培训测评情况: the bureau's test score scaled to 10 (absent from the test: 0)."""
    if score is None:
        return Item("test", Decimal(0), std.test_max, {"score": None})
    s = min(max(_d(score), Decimal(0)), _d(std.test_full_score))
    pts = (s * std.test_max / std.test_full_score).quantize(TWO, ROUND_HALF_UP)
    return Item("test", pts, std.test_max, {"score": s, "full": std.test_full_score})


def satisfaction_points(levels: Iterable[str], key: str, std: Standard) -> Item:
    """服务内容 / 服务结果: each enterprise's overall level gives its points; several enterprises'
    points are averaged; no evaluation at all gives 0."""
    levels = list(levels)
    maximum = max(std.satisfaction_points.values())
    unknown = [lv for lv in levels if lv not in std.satisfaction_points]
    if unknown:
        raise ValueError(f"unknown satisfaction level {unknown[0]!r}")
    if not levels:
        return Item(key, Decimal(0), maximum, {"answers": 0})
    avg = Decimal(sum(std.satisfaction_points[lv] for lv in levels)) / len(levels)
    return Item(key, avg.quantize(TWO, ROUND_HALF_UP), maximum,
                {"answers": len(levels), **{lv: levels.count(lv) for lv in SATISFACTION_LEVELS}})


def defence_points(score, std: Standard) -> Item:
    """业务答辩: the defence score (0-100) in the bands; no defence gives 0."""
    maximum = max(b.result for b in std.defence_bands)
    if score is None:
        return Item("defence", Decimal(0), maximum, {"score": None})
    s = _d(score)
    if s < 0 or s > 100:
        raise OutsideBands(s, "below" if s < 0 else "above", std.defence_bands)
    return Item("defence", _d(std.defence_bands.lookup(s)), maximum, {"score": s})


@dataclass(frozen=True)
class EvaluationInput:
    projects: tuple = ()
    test_score: object = None
    content_levels: tuple = ()
    result_levels: tuple = ()
    defence_score: object = None


def evaluate(inp: EvaluationInput, std: Standard) -> tuple[Decimal, list[Item]]:
    """The total of 附件3 and its items, in the order of the table."""
    items = [project_points(inp.projects, std), pass_rate_points(inp.projects, std),
             test_points(inp.test_score, std),
             satisfaction_points(inp.content_levels, "content", std),
             satisfaction_points(inp.result_levels, "result", std),
             defence_points(inp.defence_score, std)]
    return sum((i.points for i in items), Decimal(0)), items


TIES_AT_CUTOFF = ("include", "exclude")


def excellent(totals: dict, count: int = 10, ties: str = "include") -> list:
    """The top ``count`` by total (按评价得分由高到低取前10名). Agencies tied with the last place
    are all in (``include``, default) or all out (``exclude``)."""
    if ties not in TIES_AT_CUTOFF:
        raise ValueError(f"ties at the cutoff: one of {TIES_AT_CUTOFF}")
    ranked = sorted(totals, key=lambda k: (-_d(totals[k]), str(k)))
    if len(ranked) <= count:
        return ranked
    cutoff = _d(totals[ranked[count - 1]])
    if ties == "include":
        return [k for k in ranked if _d(totals[k]) >= cutoff]
    above = [k for k in ranked if _d(totals[k]) > cutoff]
    return above if _d(totals[ranked[count]]) == cutoff else ranked[:count]


# --- training events (第十三条) -------------------------------------------------------------

EVENT_KINDS = ("training", "lecture_forum", "agency_training")  # 培训 / 讲座论坛 / 面向服务机构的培训
LENGTHS = ("half_day", "full_day")
FIVE_PLUS_FIVE = ("electrical", "footwear", "apparel", "auto_parts", "pumps_valves",  # 五大传统产业
                  "digital_economy", "smart_equipment", "life_health", "new_energy_vehicles", "new_materials")


@dataclass(frozen=True)
class TrainingEvent:
    kind: str
    length: str
    length_reason: str = ""
    participants: int = 0
    firms_same_industry: int = 0
    people_same_industry: int = 0
    fee: bool = False
    industries: tuple = ()


def event_problems(ev: TrainingEvent) -> list[str]:
    """The unmet subsidy conditions of 第十三条（一）–（三）, as codes."""
    problems = []
    if ev.length not in LENGTHS:
        problems.append("length")
    elif ev.length == "full_day" and not ev.length_reason.strip():
        problems.append("length_reason")
    if ev.kind == "lecture_forum":
        if ev.participants < 100:
            problems.append("audience")
    elif ev.kind == "training":
        if not (ev.participants >= 50 or (ev.firms_same_industry >= 10 and ev.people_same_industry >= 30)):
            problems.append("audience")
    elif ev.kind != "agency_training":
        problems.append("kind")
    if ev.fee:
        problems.append("fee")
    if ev.kind != "agency_training" and not (set(ev.industries) & set(FIVE_PLUS_FIVE)):
        problems.append("industries")
    return problems


def last_filing_day(event_day: date, calendar, working_days: int = 10) -> date:
    """The last day a filing reaches the city bureau in time (提前10个工作日): between the filing
    day and the event day (neither counted, as every deadline of the engine) lie at least
    ``working_days`` working days."""
    day, counted = event_day, 0
    while counted < working_days:
        day -= timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day - timedelta(days=1)


def filed_in_time(filed_on: date, event_day: date, calendar, working_days: int = 10) -> bool:
    return filed_on <= last_filing_day(event_day, calendar, working_days)


TRAINEE_LEVELS = SATISFACTION_LEVELS
SATISFIED = ("very_satisfied", "satisfied")


def satisfaction_rate(answers: Iterable[str]) -> Decimal | None:
    """满意率: very satisfied and satisfied answers ÷ all answers, in percent (None: no answer)."""
    answers = list(answers)
    if not answers:
        return None
    return (Decimal(sum(1 for a in answers if a in SATISFIED) * 100) / len(answers)).quantize(TWO, ROUND_HALF_UP)


def subsidy_eligible(answers: Iterable[str], minimum=80) -> bool:
    """学员满意率达到80%以上: exactly 80 % qualifies; no answer at all does not."""
    rate = satisfaction_rate(answers)
    return rate is not None and rate >= _d(minimum)


# --- conduct and exclusion (第十四条) --------------------------------------------------------

@dataclass(frozen=True)
class Exclusion:
    starts: date
    ends: date  # last excluded day
    enterprises: int
    complaints: int


def exclusions(complaints: Iterable[tuple], years: int = 3, enterprises_min: int = 3,
               same_enterprise_min: int = 3) -> list[Exclusion]:
    """Periods of exclusion (取消今后三年享受政府购买服务资格) from verified complaints
    ``(enterprise_id, verified_on)``: complaints from 3 or more enterprises, or 3 or more from one,
    exclude from the day the last of them was verified for ``years`` years. Complaints are counted
    from the end of the previous exclusion: one set of complaints excludes once."""
    out: list[Exclusion] = []
    counted: list[tuple] = []
    for ent, day in sorted(complaints, key=lambda c: (c[1], str(c[0]))):
        if out and day <= out[-1].ends:
            continue
        counted.append((ent, day))
        per = {}
        for e, _ in counted:
            per[e] = per.get(e, 0) + 1
        if len(per) >= enterprises_min or max(per.values()) >= same_enterprise_min:
            out.append(Exclusion(day, day + relativedelta(years=years) - timedelta(days=1), len(per), len(counted)))
            counted = []
    return out


def excluded_on(day: date, periods: Iterable[Exclusion]) -> Exclusion | None:
    return next((p for p in periods if p.starts <= day <= p.ends), None)


def eligible_in_year(year: int, plagiarism_years: Iterable[int], day: date, periods: Iterable[Exclusion]) -> bool:
    """Not excluded on ``day`` and no plagiarism found in ``year`` (取消当年享受资格)."""
    return year not in set(plagiarism_years) and excluded_on(day, periods) is None
