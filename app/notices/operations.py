"""Changes to public notices. ``file_objection`` is a user action of its own (it commits);
the others are called from a programme's own operations or engine hooks and take part in
that transaction (no commit here)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..auth.permissions import is_signed_in
from ..engine import clock, documents, runtime, transaction
from ..engine.audit import record
from ..engine.calendar import end_of_day
from ..engine.deadlines import business_tz, current_calendar
from ..engine.errors import Conflict, EngineError, NotFound
from ..extensions import db
from . import events, rules
from .models import Notice, Objection
from .queries import accepts_objections, subject_key

OBJECTION_MESSAGE = "objection_filed"  # the BPMN message a notice's case receives on each objection


def start_notice(subject, working_days: int, *, title: str, count_publication_day: bool = False,
                 case_id: int | None = None, actor_id: int | None = None, today=None) -> Notice:
    """Put ``subject`` on public notice from now until the end of its last working day."""
    kind, sid = subject_key(subject)
    tz = business_tz()
    published = today or clock.now().astimezone(tz).date()
    last = rules.last_day(published, current_calendar(), working_days, count_publication_day)
    notice = Notice(subject_type=kind, subject_id=sid, case_id=case_id, title=title[:300], working_days=working_days,
                    count_publication_day=count_publication_day, starts_at=clock.utcnow(),
                    ends_at=clock.as_naive(end_of_day(last, tz)), status=rules.OPEN, created_at=clock.utcnow())
    db.session.add(notice)
    db.session.flush()
    record("notice.started", title, actor_id=actor_id, case_id=case_id,
           detail={"notice_id": notice.id, "subject": kind, "subject_id": sid, "ends_at": notice.ends_at.isoformat()})
    return notice


def file_objection(notice: Notice | None, form, user=None) -> Objection:
    """Anyone may object while the notice runs, with evidence; a notice with a case sends it
    the ``objection_filed`` message (ignored while an objection is already under review)."""
    if notice is None or notice.status != rules.OPEN:
        raise NotFound(_l("no result under public notice"))
    if not accepts_objections(notice):
        raise Conflict(_l("the public notice period is over"))
    with transaction(_l("the result changed meanwhile; try again")):  # the case's optimistic lock -> 409
        uid = user.id if is_signed_in(user) else None
        objection = Objection(notice_id=notice.id, name=form.name.data.strip(), contact=form.contact.data.strip(),
                              text=form.text.data.strip(), status=rules.PENDING, created_at=clock.utcnow())
        db.session.add(objection)
        db.session.flush()
        objection.evidence = [documents.store(s, case_id=notice.case_id, field="objection_evidence", user_id=uid).id
                              for s in (form.evidence.data or []) if getattr(s, "filename", None)]
        record("notice.objection", objection.text[:200], actor_id=uid, actor_label=None if uid else objection.name,
               case_id=notice.case_id, detail={"objection_id": objection.id, "notice_id": notice.id})
        if notice.case_id:
            from ..engine.models import Case
            runtime.send_message(db.session.get(Case, notice.case_id), OBJECTION_MESSAGE, {}, uid)
        events.objection_filed.send(notice.subject_type, notice=notice, objection=objection, actor_id=uid)
    return objection


def decide_objections(notice: Notice, outcome: str, reasons: str, actor_id=None) -> list[Objection]:
    """Decide every open objection of the notice: ``upheld`` (founded) or ``dismissed``
    (not founded), with reasons; sends ``objection_upheld`` / ``objection_dismissed`` for each."""
    if outcome not in rules.OUTCOMES:
        raise EngineError(_l("unknown decision"))
    signal = events.objection_upheld if outcome == rules.UPHELD else events.objection_dismissed
    decided = [o for o in notice.objections if o.status == rules.PENDING]
    for o in decided:
        o.status, o.decision, o.decided_at, o.decided_by_id = outcome, reasons.strip(), clock.utcnow(), actor_id
        record("notice.objection_decided", outcome, actor_id=actor_id, case_id=notice.case_id,
               detail={"objection_id": o.id, "notice_id": notice.id, "outcome": outcome})
        signal.send(notice.subject_type, notice=notice, objection=o, actor_id=actor_id)
    return decided


def withdraw_notice(notice: Notice, actor_id=None) -> None:
    """The notice stops (e.g. an objection was founded and the subject is examined again)."""
    notice.status, notice.closed_at = rules.WITHDRAWN, clock.utcnow()
    record("notice.withdrawn", notice.title, actor_id=actor_id, case_id=notice.case_id,
           detail={"notice_id": notice.id})


def close_notice(notice: Notice, actor_id=None) -> None:
    """The period is over and every objection decided: the result stands (publish it);
    sends ``notice_closed``."""
    if not rules.may_close(o.status for o in notice.objections):
        raise EngineError(_l("an objection is still open"))
    notice.status, notice.closed_at = rules.CLOSED, clock.utcnow()
    record("notice.closed", notice.title, actor_id=actor_id, case_id=notice.case_id, detail={"notice_id": notice.id})
    events.notice_closed.send(notice.subject_type, notice=notice, actor_id=actor_id)
