from flask_babel import lazy_gettext as _l

STATUSES = {
    "submitted": _l("Applied, waiting for the application deadline"),
    "spot_check": _l("Authenticity spot-check"),
    "terminated": _l("Ended: false information found"),
    "in_review": _l("Expert review"),
    "not_rated": _l("Not rated"),
    "in_notice": _l("Public notice"),
    "objection_review": _l("Public notice: objection under review"),
    "confirmed": _l("Rated"),
    "feedback_given": _l("Feedback given"),
    "open": _l("Open"), "in_arbitration": _l("In expert arbitration"), "dismissed": _l("No adjustment"),
    "decided": _l("Decided and published"),
}


def status_label(status: str) -> str:
    return str(STATUSES.get(status, status))
