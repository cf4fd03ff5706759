from flask_babel import lazy_gettext as _l

STATUSES = {
    "submitted": _l("Submitted, awaiting triage"),
    "rejected": _l("Not accepted"),
    "awaiting_response": _l("Awaiting the agency's response"),
    "response_overdue": _l("Agency response overdue"),
    "in_mediation": _l("In mediation"),
    "resolved": _l("Resolved by mediation"),
    "in_arbitration": _l("In expert arbitration"),
    "awaiting_publication": _l("Upheld, awaiting publication"),
    "not_upheld": _l("Not upheld"),
    "published": _l("Upheld and published"),
    "closed": _l("Upheld, closed without publication"),
    "rating_review_due": _l("Rating review due: 3 or more verified serious complaints in three months"),
}

CATEGORIES = {
    "false_disclosure": _l("False information disclosed"),
    "service_quality": _l("Service quality"),
    "misconduct": _l("Misconduct"),
    "other": _l("Other"),
}

KINDS = {"complaint": _l("Complaint"), "report": _l("Report")}

RESULTS = {
    "upheld": _l("Upheld"),
    "partly_upheld": _l("Partly upheld"),
    "rejected": _l("Rejected"),
}

MEASURES = {
    "none": _l("No measure"),
    "warning": _l("Warning"),
    "rating_review": _l("Rating review"),
    "public_criticism": _l("Public criticism"),
}


def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))


def label(mapping: dict, key) -> str:
    return str(mapping.get(key, key or ""))
