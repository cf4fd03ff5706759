"""Pure rules of certification tracking (贯标跟踪): no database, no application.

Phases and stages follow FAQ 12 of the seed (两化融合贯标常见问题汇总); validity and surveillance
follow FAQ 14; the conformity-auditor independence rule follows the implementation guide
(符合性审核: 由未参与该组织咨询活动的人员实施)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

# --- self-assessment levels (自评估等级, FAQ 9) ---------------------------------------------
LEVELS = ("foundation", "single_application", "integration", "innovation")
LEVEL_NAMES_ZH = {"foundation": "基础建设", "single_application": "单项应用",
                  "integration": "综合集成", "innovation": "协同与创新"}

# --- phases and their stages (FAQ 12) -----------------------------------------------------
CONSULTING_STAGES = ("kickoff", "survey", "analysis", "documentation", "internal_audit", "pilot")
# 贯标启动, 现状调研, 体系分析, 文件编写, 内部审核, 评定试点
ASSESSMENT_STAGES = ("application", "acceptance", "stage1_plan", "stage1_audit", "stage2_plan",
                     "stage2_audit", "nonconformities", "conclusion", "conclusion_confirmed")
# 评定申请, 受理申请, 第一阶段审核计划, 第一阶段审核, 第二阶段审核计划, 第二阶段审核,
# 不符合项纠正和验证, 提交评定结论, 企业确认评定结论
COMMITTEE_STAGES = ("compliance_review", "re_review", "public_notice", "certificate_issued")
# 合规性审查, 复核, 公示, 签发证书
PHASES = {"consulting": CONSULTING_STAGES, "assessment": ASSESSMENT_STAGES, "committee": COMMITTEE_STAGES}

# Records each consulting stage requires before it closes (implementation guide, 第二至五节);
# a setting (CERTIFICATION_STAGE_RECORDS) may replace any stage's list.
DEFAULT_STAGE_RECORDS = {
    "kickoff": ("kickoff_meeting", "leadership_group", "working_group"),
    "survey": ("training", "survey_report"),
    "analysis": ("analysis_plan",),
    "documentation": ("documents_released", "trial_run"),
    "internal_audit": ("internal_audit", "management_review", "corrective_actions"),
    "pilot": ("conformity_audit", "assessment_preparation"),
}
RECORD_KINDS = ("kickoff_meeting", "leadership_group", "working_group", "training", "survey_report",
                "analysis_plan", "documents_released", "trial_run", "internal_audit", "management_review",
                "corrective_actions", "conformity_audit", "assessment_preparation")
DEFAULT_MIN_TRAININGS = 6  # 至少应组织如下培训: six kinds of training
# Typical duration of each phase (FAQ 12): deadlines with an overdue mark.
DEFAULT_PHASE_MONTHS = {"consulting": 8, "assessment": 2, "committee": 2}


def missing_records(stage: str, records: list[str], required: dict | None = None,
                    min_trainings: int = DEFAULT_MIN_TRAININGS) -> list[str]:
    """The record kinds still missing for ``stage`` to close (an empty list: it may close).
    ``records`` lists the kinds recorded so far (one entry per record); trainings count up to
    ``min_trainings`` where the stage requires training."""
    needed = list((required or DEFAULT_STAGE_RECORDS).get(stage, ()))
    missing = [k for k in needed if k != "training" and k not in records]
    if "training" in needed and records.count("training") < min_trainings:
        missing.insert(0, "training")
    return missing


def next_stage(phase: str, stage: str) -> str | None:
    """The stage after ``stage`` in ``phase``; None after the last."""
    stages = PHASES[phase]
    i = stages.index(stage)
    return stages[i + 1] if i + 1 < len(stages) else None


# --- conformity audit independence (符合性审核的独立性) -----------------------------------

def auditor_is_independent(auditor_consultant_id: int, project_member_ids: set[int],
                           work_record_consultant_ids: set[int] = frozenset()) -> bool:
    """A conformity auditor must not have worked on the project: neither a project member nor
    the author of an on-site work record of it."""
    return auditor_consultant_id not in project_member_ids and auditor_consultant_id not in work_record_consultant_ids


# --- certificate (证书, FAQ 14) -----------------------------------------------------------
DEFAULT_VALIDITY_YEARS = 3
DEFAULT_SURVEILLANCE_MONTHS = (12, 24)  # two surveillance assessments within the three years
DEFAULT_SURVEILLANCE_GRACE_DAYS = 90   # after a due date before a missed surveillance suspends
DEFAULT_RECERT_REMINDER_DAYS = (180, 90, 30)  # reminders before expiry


def valid_until(issued: date, years: int = DEFAULT_VALIDITY_YEARS) -> date:
    """The last day of validity: the day before the same date ``years`` later (有效期三年)."""
    return issued + relativedelta(years=years) - relativedelta(days=1)


def surveillance_due_dates(issued: date, months: tuple[int, ...] = DEFAULT_SURVEILLANCE_MONTHS) -> list[date]:
    """The due date of each surveillance assessment (监督评定), counted in months from issue."""
    return [issued + relativedelta(months=m) for m in months]


def surveillance_overdue(due: date, today: date, grace_days: int = DEFAULT_SURVEILLANCE_GRACE_DAYS) -> bool:
    """A surveillance not passed by its due date plus the grace period is missed."""
    return today > due + relativedelta(days=grace_days)


def reminders_due(expires: date, today: date, days_before: tuple[int, ...] = DEFAULT_RECERT_REMINDER_DAYS) -> list[int]:
    """Which re-certification reminders are due by ``today`` (days before expiry, largest first)."""
    return [d for d in sorted(days_before, reverse=True) if today >= expires - relativedelta(days=d)]


CERTIFICATE_STATUSES = ("valid", "under_surveillance", "suspended", "withdrawn", "expired")


def certificate_status(*, today: date, expires: date, withdrawn: bool, suspended: bool,
                       surveillance_open: bool) -> str:
    """What the public lookup shows: withdrawn and suspended win, then expired, then under
    surveillance (a surveillance assessment is in progress or due), else valid."""
    if withdrawn:
        return "withdrawn"
    if suspended:
        return "suspended"
    if today > expires:
        return "expired"
    return "under_surveillance" if surveillance_open else "valid"


# --- rating criterion 2 facts (评级指标2) --------------------------------------------------

def pass_rate(passed: int, submitted: int) -> float | None:
    """通过评定的企业数量 ÷ 提交至评定工作委员会的企业数量; None when nothing was submitted."""
    if submitted <= 0:
        return None
    return passed / submitted


@dataclass(frozen=True)
class TrackedProject:
    started_on: date
    submitted_on: date | None  # submitted to the national committee (提交至评定工作委员会)
    passed_on: date | None     # certificate issued (通过评定)
    enterprise_id: int


def criterion_facts(projects: list[TrackedProject], today: date) -> dict:
    """Projects in total and in the last year, enterprises submitted in total and in the last
    year, passed enterprises and the pass rate (enterprises counted once each)."""
    year_ago = today - relativedelta(years=1)
    submitted = {p.enterprise_id for p in projects if p.submitted_on}
    submitted_last = {p.enterprise_id for p in projects if p.submitted_on and p.submitted_on > year_ago}
    passed = {p.enterprise_id for p in projects if p.passed_on}
    return {"total": len(projects), "last_year": len([p for p in projects if p.started_on > year_ago]),
            "submitted": len(submitted), "submitted_last_year": len(submitted_last),
            "passed": len(passed), "pass_rate": pass_rate(len(passed), len(submitted))}


# --- self-assessment level rule (等级判定, data) --------------------------------------------

def self_assessment_level(answers: dict[str, int], questions: list[dict], thresholds: dict[str, float]) -> tuple[float, str]:
    """Score (0–100) of a questionnaire's answers and its level: each question has a ``key``,
    a ``weight`` and options scored 0–4; the level is the highest whose threshold the score reaches."""
    total_w = sum(q.get("weight", 1) for q in questions) or 1
    score = sum(q.get("weight", 1) * min(max(int(answers.get(q["key"], 0)), 0), 4) / 4 for q in questions)
    score = round(100 * score / total_w, 1)
    level = LEVELS[0]
    for lv in LEVELS:
        if score >= thresholds.get(lv, 0):
            level = lv
    return score, level
