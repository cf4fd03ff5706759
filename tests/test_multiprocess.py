"""Two server processes over one database (the production shape): a complaint goes from
filing to publication with each step, the panel's opinions included, answered by the
other process; concurrent work on different cases meets no spurious conflict."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from app.complaints.models import Complaint
from app.engine.models import AuditEvent, Case, WorkTask
from app.extensions import db
from tests.conftest import PASSWORDS
from tests.servers import HttpBrowser, worker_processes

pytestmark = pytest.mark.lifecycle

AGENCY = "华信两化咨询有限公司"


@pytest.fixture
def servers(app, tmp_path):
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "UPLOAD_DIR", "SECRET_KEY")}
    config["ENGINE_SPEC_CACHE"] = app.config.get("ENGINE_SPEC_CACHE", True)
    db.session.remove()
    with worker_processes(2, config, tmp_path) as (urls, logs):
        yield urls, logs
    for log in logs:
        text = log.read_text(errors="replace")
        assert "Traceback" not in text, text[-3000:]


def open_task(case_id, spec_name):
    db.session.expire_all()
    return db.session.scalars(select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.spec_name == spec_name,
                                                     WorkTask.status == "open").order_by(WorkTask.id)).all()


def login(base, username):
    return HttpBrowser().login(base, username, PASSWORDS[username])


def file_complaint(base, orgs, facts="The agency lists consultants who never worked for it."):
    r = HttpBrowser().post(f"{base}/complaints/new", {
        "kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "false_disclosure", "facts": facts,
        "complainant_name": "王先生", "complainant_contact": "13800000000"})
    assert r.status_code == 303, r.text()[:1000]
    token = r.headers["Location"].rsplit("/", 1)[-1]
    db.session.expire_all()
    return db.session.scalar(select(Complaint).where(Complaint.tracking_token == token))


def complete(b, base, task, data):
    r = b.post(f"{base}/tasks/{task.id}", data)
    assert r.status_code == 302, r.text()[:1500]


def test_complaint_with_panel_alternating_between_two_worker_processes(servers, orgs, users):
    (a, b), _logs = servers
    complaint = file_complaint(a, orgs)
    [triage] = open_task(complaint.case_id, "triage")
    complete(login(b, "handler"), b, triage, {"triage_decision": "accept"})
    [response] = open_task(complaint.case_id, "agency_response")
    complete(login(a, "agency"), a, response, {"response_text": "We dispute this complaint entirely, see evidence."})
    [mediation] = open_task(complaint.case_id, "mediation")
    complete(login(b, "handler"), b, mediation, {"mediation_outcome": "failed", "mediation_summary": "双方无法达成一致"})
    opinions = open_task(complaint.case_id, "arbitration_opinion [child]")
    assert len(opinions) == 3
    by_id = {u.id: u.username for u in users.values()}
    for i, t in enumerate(opinions):
        base = (a, b)[i % 2]
        complete(login(base, by_id[t.assignee_id]), base, t, {"opinion": "upheld", "opinion_reasons": "证据充分"})
    [decision] = open_task(complaint.case_id, "arbitration_decision")
    complete(login(a, by_id[decision.assignee_id]), a, decision,
             {"arbitration_result": "upheld", "findings": "机构公开了虚假的人员信息", "serious": "y", "measure": "warning"})
    [publication] = open_task(complaint.case_id, "publication")
    complete(login(b, "handler"), b, publication, {"publish": "approve", "publication_summary": "多进程发布的处理结果"})
    db.session.expire_all()
    assert db.session.get(Case, complaint.case_id).status == "completed"
    assert "多进程发布的处理结果" in HttpBrowser().get(f"{a}/decisions").text()
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == complaint.case_id))]
    assert kinds.count("task.completed") == 8


def test_concurrent_work_on_different_cases_meets_no_conflict(servers, orgs):
    (a, b), _logs = servers
    complaints = [file_complaint((a, b)[i % 2], orgs, facts=f"Facts of complaint number {i}, in detail.")
                  for i in range(8)]
    triages = [open_task(c.case_id, "triage")[0].id for c in complaints]
    handlers = {base: login(base, "handler") for base in (a, b)}

    def triage(i):
        base = (a, b)[i % 2]
        return handlers[base].post(f"{base}/tasks/{triages[i]}", {"triage_decision": "accept"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(triage, range(len(triages))))
    assert codes == [302] * len(triages)
    for c in complaints:
        assert len(open_task(c.case_id, "agency_response")) == 1
