"""Never a 500 for user input: ids beyond the database's integer range, 20-digit page
numbers, NUL characters, deeply nested JSON and over-limit bodies, on HTML pages (an
HTML 400/404/413) and on the API and JSON endpoints (a JSON 400/404/413/422 with a message)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.complaints.models import Complaint
from app.extensions import db
from tests.test_api import AGENCY, assert_error, complaint_data
from tests.test_api import api  # noqa: F401  (fixture)
from tests.test_designer import post_json

HUGE_IDS = ["2147483648", "9223372036854775808", "123456789012345678901234567890"]
PAGE_20_DIGITS = "12345678901234567890"


def assert_html_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


def assert_designer_error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    assert response.is_json, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert isinstance(body["error"], str) and body["error"]  # what the designer page shows
    assert body["problems"] == []
    return body


# --- ids beyond 32/64 bits ----------------------------------------------------------------

@pytest.mark.parametrize("big", HUGE_IDS)
def test_huge_ids_in_api_urls_are_404(api, big):  # noqa: F811
    handler = api("handler")
    for url in (f"/api/v1/cases/{big}", f"/api/v1/tasks/{big}"):
        assert_error(handler.get(url), 404)
    for action in ("claim", "release", "complete"):
        assert_error(handler.post(f"/api/v1/tasks/{big}/{action}", {}), 404)


@pytest.mark.parametrize("big", HUGE_IDS)
def test_huge_ids_in_page_urls_are_404(browser, big):
    admin = browser("admin")
    for url in (f"/tasks/{big}", f"/cases/{big}", f"/documents/{big}", f"/admin/designer/drafts/{big}",
                f"/admin/designer/versions/{big}"):
        assert_html_error(admin.get(url), 404)
    assert_html_error(admin.post(f"/tasks/{big}", {"triage_decision": "accept"}), 404)


def test_huge_ids_in_query_strings_and_forms_find_nothing(browser, orgs):
    handler = browser("handler")
    page = handler.get(f"/inbox?agency={HUGE_IDS[2]}")
    assert page.status_code == 200
    assert browser().get(f"/complaints/new?agency={HUGE_IDS[1]}").status_code == 200
    before = db.session.scalar(select(func.count(Complaint.id)))
    r = browser().post("/complaints/new", {"kind": "complaint", "agency_id": HUGE_IDS[2], "category": "other",
                                           "facts": "x" * 40, "complainant_name": "王先生",
                                           "complainant_contact": "13800000000"})
    assert r.status_code == 422  # not a valid choice
    assert db.session.scalar(select(func.count(Complaint.id))) == before


# --- page numbers of 20 digits --------------------------------------------------------------

def test_twenty_digit_page_numbers_on_the_api_are_422_with_a_field_error(api):  # noqa: F811
    handler = api("handler")
    for url in (f"/api/v1/cases?page={PAGE_20_DIGITS}", f"/api/v1/tasks?page={PAGE_20_DIGITS}"):
        error = assert_error(handler.get(url), 422, "page")
        assert "1000000" in error["fields"]["page"][0]
    assert_error(api().get(f"/api/v1/decisions?page={PAGE_20_DIGITS}&per_page={PAGE_20_DIGITS}"), 422, "page")
    # the largest page allowed is simply empty
    assert api().get("/api/v1/decisions?page=1000000").get_json()["items"] == []


def test_twenty_digit_page_numbers_on_pages_are_404(browser):
    assert_html_error(browser().get(f"/decisions?page={PAGE_20_DIGITS}"), 404)
    assert_html_error(browser("handler").get(f"/inbox?page={PAGE_20_DIGITS}"), 404)


# --- NUL characters -------------------------------------------------------------------------

def test_nul_in_api_paths_and_query_strings_is_400(api):  # noqa: F811
    admin = api("admin")
    assert_error(admin.get("/api/v1/process-definitions/comp%00laint"), 400)
    assert_error(admin.get("/api/v1/cases?process=comp%00laint"), 400)
    assert_error(admin.get("/api/v1/tasks?task=%00"), 400)
    assert_error(api().get("/api/v1/decisions?x%00=1"), 400)


def test_nul_in_api_json_bodies_is_422_with_the_field(api, orgs):  # noqa: F811
    error = assert_error(api().post("/api/v1/tokens", {"username": "admin\x00", "password": "x"}), 422,
                         "username")
    assert "NUL" in error["fields"]["username"][0]
    before = db.session.scalar(select(func.count(Complaint.id)))
    assert_error(api().post("/api/v1/cases", {"process": "complaint",
                                              "data": complaint_data(orgs, facts="The agency\x00 lied to us.")}),
                 422, "data.facts")
    assert db.session.scalar(select(func.count(Complaint.id))) == before


def test_nul_in_html_forms_and_query_strings_is_400(browser, orgs):
    before = db.session.scalar(select(func.count(Complaint.id)))
    text = assert_html_error(browser().post("/complaints/new", {
        "kind": "complaint", "agency_id": orgs[AGENCY].id, "category": "other",
        "facts": "The agency\x00 lied to us, repeatedly.", "complainant_name": "王先生",
        "complainant_contact": "13800000000"}), 400)
    assert "NUL" in text or "空字符" in text
    assert db.session.scalar(select(func.count(Complaint.id))) == before
    assert_html_error(browser().post("/login", {"username": "admin\x00", "password": "x"}), 400)
    assert_html_error(browser().get("/decisions?page=%00"), 400)
    assert_html_error(browser().get("/complaints/track/abc%00def"), 400)


def test_nul_in_a_designer_json_body_is_422(browser):
    r = post_json(browser("admin"), "/admin/designer/validate", {"xml": "<a>\x00</a>"})
    body = assert_designer_error(r, 422)
    assert "xml" in body["fields"]


# --- JSON nested 1,000 deep -----------------------------------------------------------------

def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deeply_nested_json_on_the_api_is_400(api, depth):  # noqa: F811
    for client, url in ((api(), "/api/v1/cases"), (api(), "/api/v1/tokens"),
                        (api("handler"), "/api/v1/tasks/1/complete")):
        error = assert_error(client.request("post", url, data=nested(depth)), 400)
        assert "nested" in error["message"] or "嵌套" in error["message"]


def test_deeply_nested_json_on_designer_endpoints_is_400(browser):
    admin = browser("admin")
    admin.token()
    for body in (nested(1000), "[" * 1000 + "]" * 1000):
        r = admin._isolated(admin.client.post, "/admin/designer/validate", data=body,
                            content_type="application/json", headers={"X-CSRFToken": admin.token()})
        assert_designer_error(r, 400)


# --- over-limit bodies ------------------------------------------------------------------------

@pytest.fixture
def small_limit(app):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    yield 64 * 1024
    app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024


def test_over_limit_bodies_on_designer_json_endpoints_are_413_json(browser, small_limit):
    admin = browser("admin")
    big = {"xml": "<a/>" + " " * (small_limit + 1)}
    for url in ("/admin/designer/validate", "/admin/designer/drafts/1", "/admin/designer/drafts/1/deploy"):
        body = assert_designer_error(post_json(admin, url, big), 413)
        assert body["status"] == 413


def test_over_limit_bodies_on_the_api_are_413_json(api, small_limit):  # noqa: F811
    assert_error(api().post("/api/v1/cases", {"process": "complaint", "data": {"facts": "x" * (small_limit + 1)}}),
                 413)
    assert_error(api("handler").post("/api/v1/tasks/1/complete", {"x": "y" * (small_limit + 1)}), 413)


def test_over_limit_html_forms_are_an_html_413(browser, orgs, small_limit):
    before = db.session.scalar(select(func.count(Complaint.id)))
    r = browser().post("/complaints/new", {"kind": "complaint", "agency_id": orgs[AGENCY].id,
                                           "category": "other", "facts": "x" * (small_limit + 1)})
    assert_html_error(r, 413)
    assert db.session.scalar(select(func.count(Complaint.id))) == before


# --- other JSON the designer could not take -------------------------------------------------

def test_designer_deploy_with_a_comment_that_is_not_text_is_no_500(browser):
    admin = browser("admin")
    r = post_json(admin, "/admin/designer/drafts/1/deploy", {"comment": {"a": [1]}})
    assert r.status_code in (404, 422), r.get_data(as_text=True)[:500]
