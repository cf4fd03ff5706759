"""Public notices: the audit event labels, the template global ``accepts_objections`` (no pages of their own: each programme shows its
notices with templates/notices/)."""


def register(app) -> None:
    from flask_babel import lazy_gettext as _l

    from ..engine import registry
    from .queries import accepts_objections
    app.add_template_global(accepts_objections, "accepts_objections")
    registry.event_labels({
        "notice.started": _l("Public notice started"), "notice.objection": _l("Objection filed"),
        "notice.objection_decided": _l("Objection decided"), "notice.withdrawn": _l("Public notice withdrawn"),
        "notice.closed": _l("Public notice ended"),
    })
