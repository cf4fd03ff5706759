"""The JSON API under /api/v1: tokens, cases, tasks, decisions and the OpenAPI document."""
from __future__ import annotations

import contextvars
import json
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from app.auth.services import create_user
from app.complaints.models import Complaint
from app.engine.models import AuditEvent, Case, WorkTask
from app.extensions import db
from tests.conftest import PASSWORDS

AGENCY = "华信两化咨询有限公司"
OTHER_AGENCY = "启明管理咨询中心"
FACTS = "The agency lists consultants who never worked for it."


class Api:
    """A JSON client; each request runs in its own context (own app context and
    session) like a real server, as conftest's Browser does."""

    def __init__(self, app, token=None):
        self.client = app.test_client()
        self.token = token

    def request(self, method, url, *, json_body=None, data=None, headers=None):
        headers = dict(headers or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        kw = {"headers": headers}
        if json_body is not None:
            kw["json"] = json_body
        if data is not None:
            kw["data"] = data
            kw["content_type"] = "application/json"
        response = contextvars.Context().run(getattr(self.client, method), url, **kw)
        db.session.expire_all()
        return response

    def get(self, url, **kw):
        return self.request("get", url, **kw)

    def post(self, url, json_body=None, **kw):
        return self.request("post", url, json_body=json_body, **kw)


@pytest.fixture
def api(app):
    def make(username=None):
        client = Api(app)
        if username:
            r = client.post("/api/v1/tokens", {"username": username, "password": PASSWORDS[username]})
            assert r.status_code == 201, r.get_json()
            client.token = r.get_json()["token"]
        return client
    return make


def assert_error(response, status, *fields):
    assert response.status_code == status, response.get_data(as_text=True)[:1000]
    assert response.is_json, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    assert isinstance(error["fields"], dict)
    for name in fields:
        assert error["fields"].get(name), error
    return error


def complaint_data(orgs, **extra):
    data = {"kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "false_disclosure", "facts": FACTS,
            "complainant_name": "王先生", "complainant_contact": "13800000000"}
    data.update(extra)
    return data


def file_complaint(api, orgs, **extra):
    r = api().post("/api/v1/cases", {"process": "complaint", "data": complaint_data(orgs, **extra)})
    assert r.status_code == 201, r.get_data(as_text=True)[:1000]
    return r.get_json()


def open_tasks(case_id, spec_name=None):
    db.session.expire_all()
    query = select(WorkTask).where(WorkTask.case_id == case_id, WorkTask.status == "open")
    if spec_name:
        query = query.where(WorkTask.spec_name == spec_name)
    return list(db.session.scalars(query.order_by(WorkTask.id)))


def complete(client, task_id, values, expect=200):
    r = client.post(f"/api/v1/tasks/{task_id}/complete", values)
    assert r.status_code == expect, r.get_data(as_text=True)[:1500]
    return r.get_json()


def is_utc_iso(value):
    return isinstance(value, str) and (value.endswith("Z") or value.endswith("+00:00")) and \
        datetime.fromisoformat(value.replace("Z", "+00:00")).utcoffset().total_seconds() == 0


# --- tokens and authentication -------------------------------------------------------------

def test_token_login_good_and_bad(api):
    r = api().post("/api/v1/tokens", {"username": "handler", "password": PASSWORDS["handler"]})
    assert r.status_code == 201
    body = r.get_json()
    assert body["token"] and body["token_type"] == "Bearer" and is_utc_iso(body["expires_at"])
    assert body["user"]["username"] == "handler" and body["user"]["role"] == "handler"
    ok = Api(api().client.application, body["token"]).get("/api/v1/tasks")
    assert ok.status_code == 200

    assert_error(api().post("/api/v1/tokens", {"username": "handler", "password": "wrong"}), 401)
    assert_error(api().post("/api/v1/tokens", {"username": "nobody", "password": "x"}), 401)
    assert_error(api().post("/api/v1/tokens", {"username": "handler"}), 422, "password")
    assert_error(api().post("/api/v1/tokens", {"username": 3, "password": ["x"]}), 422, "username", "password")
    assert_error(api().request("post", "/api/v1/tokens", data='{"username": "handler", '), 400)
    assert_error(api().request("post", "/api/v1/tokens", data='["handler"]'), 400)


@pytest.mark.parametrize("method,url", [
    ("get", "/api/v1/tasks"), ("get", "/api/v1/tasks/1"), ("post", "/api/v1/tasks/1/claim"),
    ("post", "/api/v1/tasks/1/release"), ("post", "/api/v1/tasks/1/complete"), ("get", "/api/v1/cases"),
    ("get", "/api/v1/cases/1"), ("get", "/api/v1/process-definitions"),
    ("get", "/api/v1/process-definitions/complaint"),
])
def test_authentication_required(api, method, url):
    r = api().request(method, url, json_body={} if method == "post" else None)
    assert_error(r, 401)
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(api().request(method, url, headers={"Authorization": "Bearer not-a-token"}), 401)
    assert_error(api().request(method, url, headers={"Authorization": "Basic aGFuZGxlcjp4"}), 401)


def test_browser_session_does_not_authenticate_the_api(app, browser):
    # The API is exempt from CSRF, so a session cookie must never stand in for a token.
    handler = browser("handler")
    r = contextvars.Context().run(handler.client.get, "/api/v1/tasks")
    assert_error(r, 401)


def test_expired_token_is_refused(app, api):
    from app.engine import clock
    from tests.conftest import at
    handler = api("handler")
    assert handler.get("/api/v1/tasks").status_code == 200
    clock.travel_to(at("2099-01-01T00:00"))
    assert_error(handler.get("/api/v1/tasks"), 401)


# --- process definitions --------------------------------------------------------------------

def test_process_definitions_are_for_staff(api):
    handler = api("handler")
    r = handler.get("/api/v1/process-definitions")
    assert r.status_code == 200
    [complaint] = [d for d in r.get_json()["items"] if d["key"] == "complaint"]
    assert complaint["version"] == 1 and len(complaint["content_hash"]) == 64 and is_utc_iso(complaint["created_at"])
    r = handler.get("/api/v1/process-definitions/complaint")
    assert r.status_code == 200 and [v["version"] for v in r.get_json()["versions"]] == [1]
    assert_error(handler.get("/api/v1/process-definitions/nope"), 404)
    assert_error(api("agency").get("/api/v1/process-definitions"), 403)
    assert_error(api("expert1").get("/api/v1/process-definitions/complaint"), 403)


# --- starting cases -------------------------------------------------------------------------

def test_public_files_a_complaint_without_a_token(api, orgs):
    body = file_complaint(api, orgs)
    assert body["process"] == "complaint" and body["status"] == "running" and is_utc_iso(body["started_at"])
    assert body["subject_org"]["name"] == AGENCY
    # The public may not open the case; it gets a receipt to follow the complaint instead.
    assert "summary" not in body and "events" not in body
    complaint = db.session.scalar(select(Complaint).where(Complaint.case_id == body["id"]))
    assert complaint.complainant_name == "王先生" and complaint.complainant_user_id is None
    assert body["tracking_token"] == complaint.tracking_token
    assert body["tracking_url"].endswith(f"/complaints/track/{complaint.tracking_token}")
    [triage] = open_tasks(body["id"])
    assert triage.spec_name == "triage" and triage.role == "handler"
    assert_error(api().get(f"/api/v1/cases/{body['id']}"), 401)


def test_starting_a_case_validates_and_stores_nothing_on_error(api, orgs):
    anonymous = api()
    r = anonymous.post("/api/v1/cases", {"process": "complaint", "data": complaint_data(
        orgs, facts="short", agency_id=999999, category="nope")})
    assert_error(r, 422, "facts", "agency_id", "category")
    assert_error(anonymous.post("/api/v1/cases", {"data": complaint_data(orgs)}), 422, "process")
    assert_error(anonymous.post("/api/v1/cases", {"process": "complaint", "data": "x"}), 422, "data")
    assert_error(anonymous.post("/api/v1/cases", {"process": "complaint",
                                                  "data": complaint_data(orgs, facts={"a": 1})}), 422, "facts")
    assert_error(anonymous.post("/api/v1/cases", {"process": "nope", "data": {}}), 404)
    assert_error(anonymous.request("post", "/api/v1/cases", data="{not json"), 400)
    assert_error(anonymous.request("post", "/api/v1/cases", data="null"), 400)
    assert db.session.scalar(select(db.func.count(Complaint.id))) == 0
    assert db.session.scalar(select(db.func.count(Case.id))) == 0


@pytest.mark.parametrize("missing", [{"complainant_name": "", "complainant_contact": ""},
                                     {"complainant_name": None, "complainant_contact": None}])
def test_the_public_must_give_a_name_and_contact(api, orgs, missing):
    r = api().post("/api/v1/cases", {"process": "complaint", "data": complaint_data(orgs, **missing)})
    assert_error(r, 422, "complainant_name", "complainant_contact")
    assert db.session.scalar(select(db.func.count(Complaint.id))) == 0


def test_enterprise_files_with_a_token_and_staff_may_not(api, orgs, users):
    enterprise = api("enterprise")
    r = enterprise.post("/api/v1/cases", {"process": "complaint", "data": {
        "kind": "report", "agency_id": orgs[AGENCY].id, "category": "misconduct", "facts": FACTS}})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert r.headers["Location"].endswith(f"/api/v1/cases/{body['id']}")
    assert AGENCY in [row["value"] for row in body["summary"]] and all(row["label"] for row in body["summary"])
    assert body["open_tasks"][0]["task"] == "triage"
    complaint = db.session.scalar(select(Complaint).where(Complaint.case_id == body["id"]))
    assert complaint.complainant_user_id == users["enterprise"].id
    listed = enterprise.get("/api/v1/cases").get_json()
    assert [c["id"] for c in listed["items"]] == [body["id"]]
    assert_error(api("handler").post("/api/v1/cases", {"process": "complaint", "data": complaint_data(orgs)}), 403)
    assert db.session.scalar(select(db.func.count(Complaint.id))) == 1


# --- tasks ----------------------------------------------------------------------------------

def test_handler_lists_reads_and_completes_the_triage_task(api, orgs):
    case = file_complaint(api, orgs)
    handler = api("handler")
    r = handler.get("/api/v1/tasks?process=complaint&task=triage&scope=group&sort=-created&per_page=5")
    assert r.status_code == 200
    page = r.get_json()
    assert page["total"] == 1 and page["page"] == 1 and page["pages"] == 1 and page["per_page"] == 5
    [item] = page["items"]
    assert item["case_id"] == case["id"] and item["task"] == "triage" and item["status"] == "open"
    assert is_utc_iso(item["due_at"]) and item["assignee"] is None
    assert handler.get("/api/v1/tasks?scope=mine").get_json()["total"] == 0
    assert handler.get(f"/api/v1/tasks?agency={orgs[OTHER_AGENCY].id}").get_json()["total"] == 0
    assert handler.get("/api/v1/tasks?overdue=1").get_json()["total"] == 0

    r = handler.get(f"/api/v1/tasks/{item['id']}")
    assert r.status_code == 200
    task = r.get_json()
    assert task["can_work"] is True and task["form"]["key"] == "complaint.triage"
    fields = {f["name"]: f for f in task["form"]["fields"]}
    assert set(fields) == {"triage_decision", "triage_reason"}
    assert fields["triage_decision"]["required"] is True
    assert [c["value"] for c in fields["triage_decision"]["choices"]] == ["accept", "reject"]
    assert fields["triage_reason"]["type"] == "text"

    body = complete(handler, item["id"], {"triage_decision": "accept"})
    assert body["id"] == case["id"] and body["status"] == "running"
    assert [t["task"] for t in body["open_tasks"]] == ["agency_response"]
    kinds = [e["kind"] for e in body["events"]]
    assert kinds[0] == "case.started" and "task.completed" in kinds
    assert all(is_utc_iso(e["at"]) for e in body["events"])
    completed = next(e for e in body["events"] if e["kind"] == "task.completed")
    assert completed["actor"]["type"] == "user" and completed["actor"]["name"] == "投诉处理 李娜"
    # Staff see who filed; the filer's name is in the summary for them.
    assert "王先生 (13800000000)" in [row["value"] for row in body["summary"]]
    assert not open_tasks(case["id"], "triage")


def test_invalid_submission_is_422_and_nothing_is_stored(api, orgs):
    case = file_complaint(api, orgs)
    handler = api("handler")
    [triage] = open_tasks(case["id"], "triage")
    events_before = db.session.scalar(select(db.func.count(AuditEvent.id)))
    assert_error(handler.post(f"/api/v1/tasks/{triage.id}/complete",
                              {"triage_decision": "reject", "triage_reason": "  "}), 422, "triage_reason")
    assert_error(handler.post(f"/api/v1/tasks/{triage.id}/complete", {}), 422, "triage_decision")
    assert_error(handler.post(f"/api/v1/tasks/{triage.id}/complete", {"triage_decision": "maybe"}),
                 422, "triage_decision")
    assert_error(handler.post(f"/api/v1/tasks/{triage.id}/complete", {"triage_decision": {"x": 1}}),
                 422, "triage_decision")
    assert_error(handler.request("post", f"/api/v1/tasks/{triage.id}/complete", data="{oops"), 400)
    assert_error(handler.request("post", f"/api/v1/tasks/{triage.id}/complete", data='"accept"'), 400)
    assert [t.id for t in open_tasks(case["id"], "triage")] == [triage.id]
    assert db.session.get(Case, case["id"]).status == "running"
    complaint = db.session.scalar(select(Complaint).where(Complaint.case_id == case["id"]))
    assert complaint.status == "submitted" and complaint.rejection_reason is None
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) == events_before


def test_reject_with_reason_completes_the_case(api, orgs):
    case = file_complaint(api, orgs)
    [triage] = open_tasks(case["id"], "triage")
    body = complete(api("handler"), triage.id, {"triage_decision": "reject", "triage_reason": "不属于平台范围"})
    assert body["status"] == "completed" and body["open_tasks"] == [] and is_utc_iso(body["completed_at"])
    assert "不属于平台范围" in [row["value"] for row in body["summary"]]


def test_another_agency_cannot_see_or_work_on_the_case(api, orgs):
    create_user("qiming", "qiming-pass-1", "agency", "启明 客服", orgs[OTHER_AGENCY])
    db.session.commit()
    PASSWORDS["qiming"] = "qiming-pass-1"
    case = file_complaint(api, orgs)
    [triage] = open_tasks(case["id"], "triage")
    complete(api("handler"), triage.id, {"triage_decision": "accept"})
    [response] = open_tasks(case["id"], "agency_response")

    other = api("qiming")
    assert other.get("/api/v1/tasks").get_json()["total"] == 0
    assert other.get("/api/v1/cases").get_json()["total"] == 0
    assert_error(other.get(f"/api/v1/cases/{case['id']}"), 404)
    assert_error(other.get(f"/api/v1/tasks/{response.id}"), 404)
    assert_error(other.get(f"/api/v1/tasks/{triage.id}"), 404)
    r = other.post(f"/api/v1/tasks/{response.id}/complete", {"response_text": "Not us, we were never involved."})
    assert r.status_code in (403, 404)
    assert_error(r, r.status_code)
    assert other.post(f"/api/v1/tasks/{response.id}/claim").status_code in (403, 404)
    assert [t.id for t in open_tasks(case["id"], "agency_response")] == [response.id]
    assert db.session.scalar(select(Complaint.agency_response).where(Complaint.case_id == case["id"])) is None

    # The agency concerned sees its case and task, but not who complained.
    agency = api("agency")
    assert [t["id"] for t in agency.get("/api/v1/tasks").get_json()["items"]] == [response.id]
    detail = agency.get(f"/api/v1/cases/{case['id']}").get_json()
    assert AGENCY in [row["value"] for row in detail["summary"]]
    assert "王先生" not in json.dumps(detail, ensure_ascii=False)
    assert "13800000000" not in json.dumps(detail, ensure_ascii=False)
    started = detail["events"][0]
    assert started["kind"] == "case.started" and started["actor"] == {"type": "public", "id": None, "name": None}
    complete(agency, response.id, {"response_text": "These consultants left in 2025; page corrected."})
    assert open_tasks(case["id"], "mediation")


def test_completing_a_completed_task_is_a_conflict(api, orgs):
    case = file_complaint(api, orgs)
    [triage] = open_tasks(case["id"], "triage")
    handler = api("handler")
    complete(handler, triage.id, {"triage_decision": "accept"})
    assert_error(handler.post(f"/api/v1/tasks/{triage.id}/complete", {"triage_decision": "reject",
                                                                      "triage_reason": "too late"}), 409)
    assert_error(handler.post(f"/api/v1/tasks/{triage.id}/claim"), 409)
    assert len(open_tasks(case["id"], "agency_response")) == 1
    # The completed task is still readable, with its status.
    assert handler.get(f"/api/v1/tasks/{triage.id}").get_json()["status"] == "completed"


def test_claim_and_release(api, orgs):
    create_user("handler2", "handler2-pass-1", "handler", "投诉处理 周明")
    db.session.commit()
    PASSWORDS["handler2"] = "handler2-pass-1"
    case = file_complaint(api, orgs)
    [triage] = open_tasks(case["id"], "triage")
    handler, handler2 = api("handler"), api("handler2")
    r = handler.post(f"/api/v1/tasks/{triage.id}/claim")
    assert r.status_code == 200 and r.get_json()["assignee"]["name"] == "投诉处理 李娜"
    assert handler.get("/api/v1/tasks?scope=mine").get_json()["total"] == 1
    assert handler2.get("/api/v1/tasks").get_json()["total"] == 0
    assert handler2.get(f"/api/v1/tasks/{triage.id}").get_json()["can_work"] is False
    assert_error(handler2.post(f"/api/v1/tasks/{triage.id}/claim"), 409)
    assert_error(handler2.post(f"/api/v1/tasks/{triage.id}/complete", {"triage_decision": "accept"}), 409)
    assert_error(handler2.post(f"/api/v1/tasks/{triage.id}/release"), 403)
    r = handler.post(f"/api/v1/tasks/{triage.id}/release")
    assert r.status_code == 200 and r.get_json()["assignee"] is None
    complete(handler2, triage.id, {"triage_decision": "accept"})


# --- the whole lifecycle and the public decisions -------------------------------------------

def test_full_lifecycle_through_the_api_publishes_the_decision(api, orgs, users):
    assert api().get("/api/v1/decisions").get_json() == {"items": [], "total": 0, "page": 1, "per_page": 20,
                                                         "pages": 1}
    case = file_complaint(api, orgs)
    case_id = case["id"]
    handler, agency = api("handler"), api("agency")

    def only(client, task):
        items = client.get(f"/api/v1/tasks?task={task}").get_json()["items"]
        items = [t for t in items if t["case_id"] == case_id]
        assert len(items) == 1, items
        return items[0]["id"]

    complete(handler, only(handler, "triage"), {"triage_decision": "accept"})
    complete(agency, only(agency, "agency_response"), {"response_text": "We dispute this complaint entirely."})
    complete(handler, only(handler, "mediation"), {"mediation_outcome": "failed", "mediation_summary": "双方无法达成一致"})

    opinions = open_tasks(case_id)
    assert len(opinions) == 3 and all(t.form_key == "complaint.arbitration_opinion" for t in opinions)
    by_id = {u.id: u.username for u in users.values()}
    assert users["expert4"].id not in {t.assignee_id for t in opinions}  # conflict of interest
    for t in opinions:
        expert = api(by_id[t.assignee_id])
        detail = expert.get(f"/api/v1/tasks/{t.id}").get_json()
        assert detail["can_work"] and {f["name"] for f in detail["form"]["fields"]} == {"opinion", "opinion_reasons"}
        complete(expert, t.id, {"opinion": "upheld", "opinion_reasons": "证据充分"})
        # Like the case page: experts on the panel see who filed.
        assert expert.get(f"/api/v1/cases/{case_id}").get_json()["events"][0]["actor"]["name"] == "王先生"
    [decision] = open_tasks(case_id, "arbitration_decision")
    chair = api(by_id[decision.assignee_id])
    complete(chair, decision.id, {"arbitration_result": "upheld", "findings": "机构公开了虚假的人员信息",
                                  "serious": True, "measure": "warning"})
    [publication] = open_tasks(case_id, "publication")
    form = handler.get(f"/api/v1/tasks/{publication.id}").get_json()["form"]
    assert form["values"]["publication_summary"] == "机构公开了虚假的人员信息"  # prefilled from the findings
    body = complete(handler, publication.id, {"publish": "approve", "publication_summary": "华信两化公开虚假人员信息，予以警告"})
    assert body["status"] == "completed"
    complaint = db.session.scalar(select(Complaint).where(Complaint.case_id == case_id))
    assert complaint.status == "published" and complaint.serious is True

    r = api().get("/api/v1/decisions")
    assert r.status_code == 200
    page = r.get_json()
    assert page["total"] == 1
    [item] = page["items"]
    assert item["agency"]["name"] == AGENCY and item["category"] == "false_disclosure"
    assert item["result"] == "upheld" and item["measure"] == "warning"
    assert item["summary"] == "华信两化公开虚假人员信息，予以警告" and is_utc_iso(item["published_at"])
    text = r.get_data(as_text=True)
    for secret in ("王先生", "13800000000", complaint.tracking_token, FACTS):
        assert secret not in text and json.dumps(secret)[1:-1] not in text
    assert "complainant" not in text
    assert api().get("/api/v1/decisions?page=2&per_page=1").get_json()["items"] == []

    # Everyone who took part may read the case; its timeline ends with the case completed.
    events = handler.get(f"/api/v1/cases/{case_id}").get_json()["events"]
    assert events[0]["actor"] == {"type": "public", "id": None, "name": "王先生"}  # staff see the filer
    assert events[-1]["kind"] in ("case.completed", "complaint.status")
    assert sum(e["kind"] == "task.completed" for e in events) == 8


def test_case_list_visibility_and_paging(api, orgs, users):
    first = file_complaint(api, orgs)
    second = file_complaint(api, orgs, facts="Another complaint about the same agency, different facts.")
    third = file_complaint(api, orgs, agency_id=orgs[OTHER_AGENCY].id)
    handler = api("handler")
    page = handler.get("/api/v1/cases?per_page=2").get_json()
    assert page["total"] == 3 and page["pages"] == 2 and [c["id"] for c in page["items"]] == [third["id"], second["id"]]
    assert [c["id"] for c in handler.get("/api/v1/cases?per_page=2&page=2").get_json()["items"]] == [first["id"]]
    assert handler.get("/api/v1/cases?status=completed").get_json()["total"] == 0
    assert handler.get("/api/v1/cases?per_page=abc&page=-3").get_json()["page"] == 1
    # The agency concerned sees the cases about it; an expert not involved sees none.
    agency_ids = [c["id"] for c in api("agency").get("/api/v1/cases").get_json()["items"]]
    assert agency_ids == [second["id"], first["id"]]
    assert api("expert1").get("/api/v1/cases").get_json()["total"] == 0
    assert api("expert4").get("/api/v1/cases").get_json()["total"] == 0  # affiliated, but not involved
    assert_error(api("expert4").get(f"/api/v1/cases/{first['id']}"), 404)
    assert_error(handler.get("/api/v1/cases/999999"), 404)


def test_unknown_api_routes_and_methods_answer_json(api):
    assert_error(api().get("/api/v1/nothing-here"), 404)
    assert_error(api().request("delete", "/api/v1/decisions"), 405)


# --- the OpenAPI document -------------------------------------------------------------------

def test_openapi_document_describes_every_endpoint(app, api):
    r = api().get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = json.loads(r.get_data(as_text=True))
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert doc["servers"][0]["url"].endswith("/api/v1")
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["bearerAuth"]["description"]}
    error = doc["components"]["schemas"]["Error"]["properties"]["error"]
    assert set(error["required"]) == {"status", "message", "fields"}

    # Every route of the blueprint, with every method, is in the document.
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path, method.lower()))
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert routes == documented
    expected = {"/tokens", "/tokens/{token_id}", "/process-definitions", "/process-definitions/{key}", "/cases", "/cases/{case_id}",
                "/cases/{case_id}/cancel", "/cases/{case_id}/suspend", "/cases/{case_id}/resume",
                "/tasks", "/tasks/{task_id}", "/tasks/{task_id}/claim", "/tasks/{task_id}/release",
                "/tasks/{task_id}/complete", "/decisions", "/openapi.json",
                "/agencies", "/agencies/{org_id}", "/rating/notices", "/rating/recommended"}
    assert set(doc["paths"]) == expected

    # Every operation has an id and responses; bodies where the API reads one; public ones need no token.
    op_ids = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            op_ids.append(op["operationId"])
            assert op["responses"] and op["summary"]
            if method == "post" and not path.endswith(("/claim", "/release")):
                assert op["requestBody"]["content"]["application/json"]["schema"]
            params = set(re.findall(r"{(\w+)}", path))
            assert params == {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            if op["security"] != []:
                assert "401" in op["responses"]
    assert len(op_ids) == len(set(op_ids))
    assert doc["paths"]["/decisions"]["get"]["security"] == []
    assert {} in doc["paths"]["/cases"]["post"]["security"]
    assert doc["paths"]["/tasks/{task_id}/complete"]["post"]["responses"]["422"]

    # Every reference resolves.
    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)
    for ref in set(refs(doc)):
        target = doc
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        assert target


def test_openapi_document_is_valid_openapi(api):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(api().get("/api/v1/openapi.json").get_json())
