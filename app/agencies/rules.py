"""Agency rules as plain functions (no HTTP, no database), with the seed's values.

- 注1: the alliance's exam certificate (考试合格证书) is valid for three years.
- 注2: a holder who, during the certificate's validity, served as a main project member
  (项目组主要成员, on-site workload reaching a requirement) for 3 or more enterprises that
  passed assessment (通过评定) gets a new three-year certificate on the expiry date.
- 专职人员: within the last year a main project member for 2 or more enterprises that
  passed assessment.
- Feedback (满意度反馈) is due within three months after a project ends.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

CERTIFICATE_VALIDITY_YEARS = 3
RENEWAL_MIN_ENTERPRISES = 3
FULL_TIME_MIN_ENTERPRISES = 2
FULL_TIME_WINDOW_YEARS = 1
FEEDBACK_WINDOW_MONTHS = 3
# "在企业现场工作量达到一定要求": the seed gives no number; a setting (MAIN_MEMBER_MIN_ON_SITE_DAYS).
DEFAULT_MAIN_MEMBER_MIN_ON_SITE_DAYS = 10

# Disclosure fields (信息公开) and which of them the public may see. Business secrets
# (商业秘密) are non-public by rule and never leave the reviewers' pages.
DISCLOSURE_FIELDS = [
    "registered_capital", "province", "city", "industries", "introduction", "contact", "address",
    "service_system", "years_in_consulting", "revenue_range", "related_years", "related_revenue_range",
    "knowledge_sharing", "citations", "awards", "other_info",
]
NON_PUBLIC_FIELDS = {"contract_amount", "business_licence_no"}
PUBLIC_PROJECT_FIELDS = ("enterprise", "start_date", "end_date", "members", "satisfaction", "passed_assessment")

REVENUE_RANGES = ["<1m", "1-5m", "5-10m", "10-50m", ">50m"]

FEEDBACK_QUESTIONS = [
    # 整体评价
    "overall", "value",
    # 阶段评价
    "stage_survey", "stage_planning", "stage_documents", "stage_operation",
    # 服务评价
    "training", "attitude", "competence",
]
SCORE_MIN, SCORE_MAX = 1, 5


@dataclass(frozen=True)
class Service:
    """One enterprise served by a consultant as a project member."""
    enterprise_id: int
    end_date: date | None          # the project's end (None: still running)
    passed_on: date | None         # when the enterprise passed assessment (None: not (yet))
    on_site_days: int = 0


def is_main_member(on_site_days: int, min_days: int = DEFAULT_MAIN_MEMBER_MIN_ON_SITE_DAYS) -> bool:
    return on_site_days is not None and on_site_days >= min_days


def _qualifying(services, start: date, end: date, passed_by: date, min_days: int) -> set[int]:
    """Distinct enterprises served as main member with the project ending in [start, end]
    whose enterprise passed assessment on or before ``passed_by``."""
    return {s.enterprise_id for s in services
            if is_main_member(s.on_site_days, min_days) and s.end_date is not None and start <= s.end_date <= end
            and s.passed_on is not None and s.passed_on <= passed_by}


def certificate_valid_until(issued: date, services: list[Service], today: date,
                            min_days: int = DEFAULT_MAIN_MEMBER_MIN_ON_SITE_DAYS) -> date | None:
    """The last day of validity of the certificate chain issued on ``issued`` as of ``today``,
    or None when it has lapsed. Each period is three years; it renews on its expiry day when
    during the period the holder served 3 or more enterprises that passed assessment."""
    start = issued
    while True:
        expiry = start + relativedelta(years=CERTIFICATE_VALIDITY_YEARS) - relativedelta(days=1)
        if today <= expiry:
            return expiry
        if len(_qualifying(services, start, expiry, expiry, min_days)) >= RENEWAL_MIN_ENTERPRISES:
            start = expiry + relativedelta(days=1)
            continue
        return None


def certificate_is_valid(issued: date, services: list[Service], today: date,
                         min_days: int = DEFAULT_MAIN_MEMBER_MIN_ON_SITE_DAYS) -> bool:
    return issued <= today and certificate_valid_until(issued, services, today, min_days) is not None


def is_full_time(services: list[Service], today: date,
                 min_days: int = DEFAULT_MAIN_MEMBER_MIN_ON_SITE_DAYS) -> bool:
    """专职人员: main member for 2 or more enterprises that passed assessment, the service
    (project end) within the last year (today - 1 year, today]."""
    start = today - relativedelta(years=FULL_TIME_WINDOW_YEARS) + relativedelta(days=1)
    return len(_qualifying(services, start, today, today, min_days)) >= FULL_TIME_MIN_ENTERPRISES


def feedback_due(project_end: date) -> date:
    """The last day on which the enterprise's feedback is on time (three months after the end)."""
    return project_end + relativedelta(months=FEEDBACK_WINDOW_MONTHS)


def feedback_overdue(project_end: date, today: date, answered: bool) -> bool:
    return not answered and today > feedback_due(project_end)


def average_satisfaction(answers: list[dict]) -> float | None:
    """Mean of all nine answers over all feedback (1-5), or None without feedback."""
    values = [a[q] for a in answers for q in FEEDBACK_QUESTIONS if a.get(q) is not None]
    return round(sum(values) / len(values), 2) if values else None


def public_view(disclosure: dict) -> dict:
    """Only the disclosure fields the public may see (an allow-list, so a new secret field
    never leaks by default)."""
    return {k: disclosure.get(k) for k in DISCLOSURE_FIELDS if k not in NON_PUBLIC_FIELDS}


def changed_fields(old: dict | None, new: dict) -> list[str]:
    old = old or {}
    return [k for k in DISCLOSURE_FIELDS if (old.get(k) or "") != (new.get(k) or "")]
