"""Process designer: drafts, validation per element, deploy with author and comment,
versions with case counts, diff, rollback, bulk migration, a case's diagram, and the
BPMN MIWG reference files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app import ROOT
from app.designer import rules
from app.designer.models import ProcessDraft
from app.engine.models import AuditEvent, Case, ProcessDefinition, WorkTask
from app.extensions import db
from tests.test_complaint_lifecycle import complete, file_public_complaint, open_task

pytestmark = pytest.mark.lifecycle

COMPLAINT = (ROOT / "bpmn" / "complaint.bpmn").read_text(encoding="utf-8")
# The BPMN MIWG reference diagrams (CC BY 3.0, see tests/data/miwg/README.md).
MIWG = Path(__file__).parent / "data" / "miwg"
MIWG_COUNT = 21


def post_json(b, url, body):
    b.token()
    return b._isolated(b.client.post, url, json=body, headers={"X-CSRFToken": b.token()})


def renamed(xml, old="受理审查", new="受理审查（新）"):
    assert old in xml
    return xml.replace(f'name="{old}"', f'name="{new}"')


def v1():
    return db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "complaint",
                                                             ProcessDefinition.version == 1))


def make_draft(b, content=COMPLAINT):
    r = b.post(f"/admin/designer/versions/{v1().id}/edit")
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    draft_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    if content is not COMPLAINT:
        r = post_json(b, f"/admin/designer/drafts/{draft_id}", {"xml": content})
        assert r.status_code == 200, r.get_data(as_text=True)
    return draft_id


# --- pure rules ----------------------------------------------------------------------------

def test_diff_reports_added_removed_and_changed_by_id():
    new = renamed(COMPLAINT)
    new = new.replace('<bpmn:endEvent id="end_rejected" name="不予受理">', '<bpmn:endEvent id="end_rejected2" name="不予受理">')
    d = rules.diff(COMPLAINT, new)
    assert d.changed == ["triage"]
    assert d.added == ["end_rejected2"]
    assert d.removed == ["end_rejected"]
    assert rules.diff(COMPLAINT, COMPLAINT).empty


def test_moving_a_shape_is_not_a_change_but_a_property_is():
    moved = COMPLAINT.replace('<dc:Bounds x="215" y="100"', '<dc:Bounds x="225" y="110"')
    assert moved != COMPLAINT and rules.diff(COMPLAINT, moved).empty
    prop = COMPLAINT.replace('value="5 working days" /></spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>flow_start',
                             'value="7 working days" /></spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>flow_start')
    assert rules.diff(COMPLAINT, prop).changed == ["triage"]
    cond = COMPLAINT.replace('triage_decision == "reject"', 'triage_decision == "refuse"')
    assert rules.diff(COMPLAINT, cond).changed == ["flow_reject"]


def test_elements_and_shapes_of_a_diagram():
    els = rules.elements(COMPLAINT)
    assert els["triage"].kind == "userTask" and els["triage"].name == "受理审查"
    assert "lane_agency" in els and "flow_reject" in els and "timer_response_def" in els
    shapes = rules.di_shapes(COMPLAINT)
    assert shapes["triage_di"] == "triage"
    assert {"triage", "flow_reject", "lane_agency"} <= rules.drawn_elements(COMPLAINT)


def test_blank_diagram_is_a_valid_process_with_its_lane_and_shapes(app):
    from app.designer.services import validate_content
    xml = rules.blank_diagram("site_visit", "现场<核查>")
    assert rules.process_ids(xml) == ["site_visit"]
    assert rules.elements(xml)["site_visit_lane"].name == "handler"
    assert rules.drawn_elements(xml) == {"site_visit_participant", "site_visit_lane", "site_visit_start"}
    assert validate_content(xml) == []
    assert validate_content(rules.blank_diagram("site_visit", "x", lane_role="wizard"))[0].element_id == "site_visit_lane"


# --- who may design ------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["handler", "expert1", "agency", "enterprise"])
def test_only_administrators_reach_the_designer(browser, username):
    b = browser(username)
    assert b.get("/admin/designer/").status_code == 403
    assert post_json(b, "/admin/designer/validate", {"xml": COMPLAINT}).status_code == 403
    assert b.post(f"/admin/designer/versions/{v1().id}/rollback").status_code == 403


def test_anonymous_is_sent_to_log_in(browser):
    r = browser().get("/admin/designer/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# --- list, drafts, upload ------------------------------------------------------------------

def test_designer_lists_versions_with_case_counts(browser, orgs):
    file_public_complaint(browser, orgs)
    file_public_complaint(browser, orgs)
    page = browser("admin").get("/admin/designer/").get_data(as_text=True)
    assert 'data-key="complaint"' in page
    table = page.split('data-key="complaint"')[1].split("</table>")[0]
    row = table.split('data-version="1"')[1].split("</tr>")[0]
    assert '<td class="running">2</td>' in row


def test_saving_a_broken_draft_changes_no_version(browser):
    admin = browser("admin")
    draft_id = make_draft(admin)
    broken = COMPLAINT.replace('value="complaint.triage"', 'value="no.such.form"')
    r = post_json(admin, f"/admin/designer/drafts/{draft_id}", {"xml": broken})
    assert r.status_code == 200
    assert db.session.get(ProcessDraft, draft_id).content == broken
    assert db.session.scalar(select(db.func.count()).select_from(ProcessDefinition)
                             .where(ProcessDefinition.key == "complaint")) == 1
    assert admin.get(f"/admin/designer/drafts/{draft_id}/xml").get_data(as_text=True) == broken
    page = admin.get(f"/admin/designer/drafts/{draft_id}").get_data(as_text=True)
    assert "dist/designer.js" in page and '"complaint.triage"' in page  # the form keys offered


def test_upload_opens_a_draft_and_download_returns_it(browser):
    admin = browser("admin")
    import io
    r = admin.post("/admin/designer/upload", {"file": (io.BytesIO(COMPLAINT.encode()), "complaint.bpmn")},
                   content_type="multipart/form-data")
    assert r.status_code == 302
    draft = db.session.scalars(select(ProcessDraft)).one()
    assert draft.key == "complaint" and draft.source == "complaint.bpmn"
    r = admin.get(f"/admin/designer/drafts/{draft.id}/download")
    assert r.get_data(as_text=True) == COMPLAINT
    assert "attachment" in r.headers["Content-Disposition"]


@pytest.mark.parametrize("content, message", [
    (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
     b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&b;</bpmn:definitions>', "DOCTYPE"),
    (b'<?xml version="1.0"?><!DOCTYPE d SYSTEM "file:///etc/passwd"><d/>', "DOCTYPE"),
    (b"<bpmn:definitions", "not well-formed"),
    (b"<html><body>hello</body></html>", "BPMN"),
    (b"<x>" + b"a" * (2 * 1024 * 1024 + 10) + b"</x>", "too large"),
])
def test_untrusted_uploads_are_refused_with_a_message(browser, content, message):
    import io
    r = browser("admin").post("/admin/designer/upload", {"file": (io.BytesIO(content), "evil.bpmn")},
                              content_type="multipart/form-data")
    assert r.status_code == 422
    assert message in r.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(ProcessDraft)) == 0


def test_new_diagram_needs_a_valid_key(browser):
    admin = browser("admin")
    r = admin.post("/admin/designer/new", {"key": "1 bad key", "name": "x", "lane": "handler"})
    assert r.status_code == 422 and 'value="1 bad key"' in r.get_data(as_text=True)
    r = admin.post("/admin/designer/new", {"key": "star_rating", "name": "星级评定", "lane": "handler"})
    assert r.status_code == 302
    draft = db.session.scalars(select(ProcessDraft)).one()
    assert draft.key == "star_rating" and "startEvent" in draft.content


# --- validation and deploy -----------------------------------------------------------------

def test_validation_lists_problems_per_element(browser):
    admin = browser("admin")
    broken = (COMPLAINT.replace('value="complaint.triage"', 'value="no.such.form"')
              .replace('triage_decision == "reject"', 'triage_decision = = "reject"')
              .replace('<bpmn:lane id="lane_expert" name="expert">', '<bpmn:lane id="lane_expert" name="wizard">'))
    r = post_json(admin, "/admin/designer/validate", {"xml": broken})
    assert r.status_code == 200
    problems = r.get_json()["problems"]
    by_id = {}
    for p in problems:
        by_id.setdefault(p["element_id"], []).append(p["message"])
    assert any("no.such.form" in m for m in by_id["triage"])
    assert "lane_expert" in by_id
    assert any("condition" in m for m in by_id["gw_triage"] + by_id.get("flow_reject", []))
    assert post_json(admin, "/admin/designer/validate", {"xml": COMPLAINT}).get_json() == {"ok": True, "problems": []}


@pytest.mark.parametrize("xml", ["", "not xml", "<a/>", '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'])
def test_validating_garbage_returns_problems_not_500(browser, xml):
    r = post_json(browser("admin"), "/admin/designer/validate", {"xml": xml})
    assert r.status_code == 200 and r.get_json()["problems"]


def test_deploy_refuses_problems_then_makes_next_version_with_author_and_comment(browser, users):
    admin = browser("admin")
    draft_id = make_draft(admin)
    broken = COMPLAINT.replace('value="complaint.triage"', 'value="no.such.form"')
    r = post_json(admin, f"/admin/designer/drafts/{draft_id}/deploy", {"xml": broken, "comment": "x"})
    assert r.status_code == 422
    assert [p["element_id"] for p in r.get_json()["problems"]] == ["triage"]
    assert db.session.scalar(select(db.func.count()).select_from(ProcessDefinition)
                             .where(ProcessDefinition.key == "complaint")) == 1

    r = post_json(admin, f"/admin/designer/drafts/{draft_id}/deploy", {"xml": renamed(COMPLAINT), "comment": "新名称"})
    assert r.status_code == 201, r.get_json()
    new = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "complaint",
                                                           ProcessDefinition.version == 2))
    assert new.comment == "新名称" and new.author_id == users["admin"].id and new.created_at is not None
    assert db.session.get(ProcessDraft, draft_id).deployed_definition_id == new.id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "definition.deployed",
                                                      AuditEvent.actor_id == users["admin"].id))
    # Same content again: no new version.
    r = post_json(admin, f"/admin/designer/drafts/{draft_id}/deploy", {"xml": renamed(COMPLAINT), "comment": ""})
    assert r.status_code == 200 and r.get_json()["created"] is False


def test_running_cases_keep_their_version_new_cases_use_the_newest(browser, orgs):
    _, old = file_public_complaint(browser, orgs)
    admin = browser("admin")
    draft_id = make_draft(admin)
    assert post_json(admin, f"/admin/designer/drafts/{draft_id}/deploy", {"xml": renamed(COMPLAINT)}).status_code == 201
    _, new = file_public_complaint(browser, orgs)
    assert db.session.get(Case, old.case_id).definition.version == 1
    assert db.session.get(Case, new.case_id).definition.version == 2
    [task] = open_task(new.case_id, "triage")
    assert task.name == "受理审查（新）"


# --- versions, diff, rollback --------------------------------------------------------------

def deploy_v2(admin, xml=None):
    draft_id = make_draft(admin)
    r = post_json(admin, f"/admin/designer/drafts/{draft_id}/deploy", {"xml": xml or renamed(COMPLAINT), "comment": "v2"})
    assert r.status_code == 201, r.get_json()
    return db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "complaint", ProcessDefinition.version == 2))


def test_version_page_shows_the_diff_and_marks_it_on_the_diagram(browser):
    admin = browser("admin")
    v2 = deploy_v2(admin)
    page = admin.get(f"/admin/designer/versions/{v2.id}").get_data(as_text=True)
    assert 'class="changed" data-element="triage"' in page
    data = admin.get(f"/admin/designer/versions/{v2.id}/diagram.json").get_json()
    assert data["markers"] == {"triage": ["jp-changed"]}
    assert admin.get(f"/admin/designer/versions/{v1().id}/diagram.json").get_json()["markers"] == {}
    r = admin.get(f"/admin/designer/versions/{v2.id}/download")
    assert r.get_data(as_text=True) == v2.content and 'filename="complaint-v2.bpmn"' in r.headers["Content-Disposition"]
    previous = admin.get(f"/admin/designer/versions/{v2.id}/diagram.json?side=previous").get_json()
    assert previous["xml"] == v1().content and previous["markers"] == {"triage": ["jp-changed"]}
    assert admin.get(f"/admin/designer/versions/{v1().id}/diagram.json?side=previous").status_code == 404


def test_removed_elements_are_marked_on_the_previous_version(browser):
    admin = browser("admin")
    without_publication_link = COMPLAINT.replace('<bpmn:sequenceFlow id="flow_published" sourceRef="publication" targetRef="end_published"></bpmn:sequenceFlow>', "")
    v2 = deploy_v2(admin, without_publication_link.replace(
        '<bpmn:endEvent id="end_published" name="处理完毕"><bpmn:incoming>flow_published</bpmn:incoming></bpmn:endEvent>',
        '<bpmn:endEvent id="end_published2" name="处理完毕" />').replace('<bpmn:outgoing>flow_published</bpmn:outgoing>', ""))
    diff = admin.get(f"/admin/designer/versions/{v2.id}/diagram.json?side=previous").get_json()["markers"]
    assert diff.get("flow_published") == ["jp-removed"] and diff.get("end_published") == ["jp-removed"]
    page = admin.get(f"/admin/designer/versions/{v2.id}").get_data(as_text=True)
    assert 'id="previous-diagram"' in page and 'class="removed" data-element="end_published"' in page


def test_rollback_redeploys_an_old_version_as_newest(browser, users):
    admin = browser("admin")
    deploy_v2(admin)
    r = admin.post(f"/admin/designer/versions/{v1().id}/rollback", {"comment": "back"})
    assert r.status_code == 302
    v3 = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "complaint",
                                                          ProcessDefinition.version == 3))
    assert v3.content == v1().content and v3.comment == "back" and v3.author_id == users["admin"].id
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "definition.rolled_back"))
    # Rolling back to what is already newest is refused with a message.
    r = admin.post(f"/admin/designer/versions/{v3.id}/rollback", {"comment": ""})
    assert r.status_code == 303
    assert db.session.scalar(select(db.func.max(ProcessDefinition.version))
                             .where(ProcessDefinition.key == "complaint")) == 3


# --- migration -----------------------------------------------------------------------------

def test_migration_dry_run_then_moves_eligible_cases_and_they_continue(browser, orgs):
    # case A waits at triage; case B is at the agency response (with its timer).
    _, a = file_public_complaint(browser, orgs)
    _, b = file_public_complaint(browser, orgs)
    handler = browser("handler")
    [t] = open_task(b.case_id, "triage")
    complete(handler, t, {"triage_decision": "accept"})
    # v2 renames triage and changes its due period; every task both cases reached still exists.
    admin = browser("admin")
    v2 = deploy_v2(admin, renamed(COMPLAINT).replace('value="5 working days" /></spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>flow_start',
                                                     'value="7 working days" /></spiffworkflow:properties></bpmn:extensionElements><bpmn:incoming>flow_start'))
    page = admin.get(f"/admin/designer/versions/{v1().id}/migrate?to={v2.id}").get_data(as_text=True)
    assert f'data-case="{a.case_id}" class="eligible"' in page
    assert f'data-case="{b.case_id}" class="eligible"' in page
    r = admin.post(f"/admin/designer/versions/{v1().id}/migrate", {"to": v2.id, "case": [a.case_id]})
    assert r.status_code == 200
    db.session.expire_all()
    case_a, case_b = db.session.get(Case, a.case_id), db.session.get(Case, b.case_id)
    assert case_a.definition_id == v2.id and case_b.definition_id == v1().id
    ev = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "case.migrated", AuditEvent.case_id == a.case_id))
    assert ev.detail["from_version"] == 1 and ev.detail["to_version"] == 2
    [triage] = open_task(a.case_id, "triage")
    assert triage.name == "受理审查（新）"
    # The migrated case continues on the new version to its end.
    complete(handler, triage, {"triage_decision": "reject", "triage_reason": "不属于受理范围"})
    db.session.expire_all()
    assert db.session.get(Case, a.case_id).status == "completed"


def test_migration_skips_cases_whose_tasks_are_gone(browser, orgs):
    _, a = file_public_complaint(browser, orgs)
    _, b = file_public_complaint(browser, orgs)
    handler = browser("handler")
    [t] = open_task(b.case_id, "triage")
    complete(handler, t, {"triage_decision": "accept"})
    # v2 renames the agency response task's id: case B is waiting there, case A is not yet.
    v2xml = COMPLAINT.replace('"agency_response"', '"agency_reply"').replace(">agency_response<", ">agency_reply<")
    admin = browser("admin")
    v2 = deploy_v2(admin, v2xml)
    page = admin.get(f"/admin/designer/versions/{v1().id}/migrate?to={v2.id}").get_data(as_text=True)
    assert f'data-case="{b.case_id}" class="blocked"' in page and "agency_response" in page
    r = admin.post(f"/admin/designer/versions/{v1().id}/migrate", {"to": v2.id})
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    assert f"#{b.case_id}: missing in target: " in text
    db.session.expire_all()
    assert db.session.get(Case, a.case_id).definition_id == v2.id
    assert db.session.get(Case, b.case_id).definition_id == v1().id
    # A's future is the new version's: after triage it reaches agency_reply.
    [triage] = open_task(a.case_id, "triage")
    complete(handler, triage, {"triage_decision": "accept"})
    assert open_task(a.case_id, "agency_reply")
    # B still works on v1.
    [resp] = open_task(b.case_id, "agency_response")
    complete(browser("agency"), resp, {"response_text": "These consultants left in 2025; the page is now corrected."})
    assert open_task(b.case_id, "mediation")


# --- a case's diagram ----------------------------------------------------------------------

def test_case_diagram_marks_path_current_task_and_waiting_timer(browser, orgs):
    public, complaint = file_public_complaint(browser, orgs)
    handler = browser("handler")
    [t] = open_task(complaint.case_id, "triage")
    complete(handler, t, {"triage_decision": "accept"})
    data = handler.get(f"/cases/{complaint.case_id}/diagram.json").get_json()
    m = data["markers"]
    assert "jp-completed" in m["start"] and "jp-completed" in m["triage"] and "jp-completed" in m["set_deadline"]
    assert "jp-completed" in m["flow_start"] and "jp-completed" in m["flow_accept"]
    assert "jp-current" in m["agency_response"]
    assert "jp-waiting" in m["timer_response"]
    assert "mediation" not in m and "flow_reject" not in m
    assert any("completed" in line for line in data["history"]["triage"])
    assert data["version"] == 1 and "<bpmn:definitions" in data["xml"]
    page = handler.get(f"/cases/{complaint.case_id}").get_data(as_text=True)
    assert "data-bpmn-viewer" in page and "dist/viewer.js" in page
    # Someone who may not see the case does not get its diagram.
    assert browser("enterprise").get(f"/cases/{complaint.case_id}/diagram.json").status_code == 404


# --- interchange: the BPMN MIWG reference files ----------------------------------------------

MIWG_FILES = sorted(MIWG.glob("*.bpmn"))


def test_every_miwg_reference_file_opens_round_trips_and_deploys_or_explains(browser):
    # A missing reference file fails the test; it is never skipped.
    assert len(MIWG_FILES) == MIWG_COUNT, (MIWG, [p.name for p in MIWG_FILES])
    admin = browser("admin")
    import io
    for path in MIWG_FILES:
        content = path.read_bytes()
        before_ids, before_di = set(rules.elements(content)), rules.di_shapes(content)
        assert before_ids, path.name
        r = admin.post("/admin/designer/upload", {"file": (io.BytesIO(content), path.name)},
                       content_type="multipart/form-data")
        assert r.status_code == 302, (path.name, r.get_data(as_text=True)[:300])
        draft_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
        xml = admin.get(f"/admin/designer/drafts/{draft_id}/xml").get_data(as_text=True)
        assert post_json(admin, f"/admin/designer/drafts/{draft_id}", {"xml": xml}).status_code == 200
        exported = admin.get(f"/admin/designer/drafts/{draft_id}/download").get_data()
        assert set(rules.elements(exported)) == before_ids, path.name
        assert rules.di_shapes(exported) == before_di, path.name
        r = post_json(admin, f"/admin/designer/drafts/{draft_id}/deploy", {"comment": path.name})
        assert r.status_code in (200, 201, 422), (path.name, r.status_code)
        if r.status_code == 422:
            body = r.get_json()
            assert body["problems"], path.name
            assert all(p["message"] for p in body["problems"])
            # A problem names an element of the file, or none; the designer marks it there.
            assert all(p["element_id"] is None or p["element_id"] in before_ids for p in body["problems"]), body


def test_shapes_the_modeler_drops_are_kept_but_deleted_elements_stay_deleted(browser):
    # What bpmn-js exports for a diagram with a shape it cannot show: the shape is gone.
    without_shape = COMPLAINT.replace('<bpmndi:BPMNShape id="triage_di" bpmnElement="triage"><dc:Bounds x="215" y="100" width="110" height="80" /></bpmndi:BPMNShape>', "")
    assert "triage_di" not in rules.di_shapes(without_shape)
    kept = rules.keep_lost_shapes(COMPLAINT, without_shape)
    assert rules.di_shapes(kept) == rules.di_shapes(COMPLAINT)
    assert rules.keep_lost_shapes(COMPLAINT, COMPLAINT) == COMPLAINT
    # An element the user deleted does not come back with its shape.
    deleted = without_shape.replace('<bpmn:endEvent id="end_rejected" name="不予受理"><bpmn:incoming>flow_reject</bpmn:incoming></bpmn:endEvent>', "")
    deleted = deleted.replace('<bpmndi:BPMNShape id="end_rejected_di"', '<bpmndi:BPMNShape id="gone_di"')
    assert "end_rejected_di" not in rules.di_shapes(rules.keep_lost_shapes(COMPLAINT, deleted))
    # Through the save endpoint.
    admin = browser("admin")
    draft_id = make_draft(admin)
    assert post_json(admin, f"/admin/designer/drafts/{draft_id}", {"xml": without_shape}).status_code == 200
    assert rules.di_shapes(db.session.get(ProcessDraft, draft_id).content)["triage_di"] == "triage"


def test_an_uploaded_process_id_cannot_inject_script_into_the_designer_page(browser):
    import io
    evil = COMPLAINT.replace('id="complaint" name="投诉举报处理"', 'id="x&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" name="n"')
    admin = browser("admin")
    r = admin.post("/admin/designer/upload", {"file": (io.BytesIO(evil.encode()), "evil.bpmn")},
                   content_type="multipart/form-data")
    assert r.status_code == 302
    page = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "</script><script>alert(1)" not in page


def test_a_new_process_from_a_blank_diagram_deploys_as_version_1_and_runs(browser, users):
    admin = browser("admin")
    r = admin.post("/admin/designer/new", {"key": "site_visit", "name": "现场核查", "lane": "handler"})
    draft_id = int(r.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    blank = db.session.get(ProcessDraft, draft_id).content
    xml = blank.replace('<bpmn:startEvent id="site_visit_start" />',
                        '<bpmn:startEvent id="site_visit_start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>'
                        '<bpmn:userTask id="visit" name="现场核查"><bpmn:extensionElements><spiffworkflow:properties>'
                        '<spiffworkflow:property name="formKey" value="complaint.triage" />'
                        '<spiffworkflow:property name="dueIn" value="3 working days" />'
                        '</spiffworkflow:properties></bpmn:extensionElements>'
                        '<bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>'
                        '<bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>'
                        '<bpmn:sequenceFlow id="f1" sourceRef="site_visit_start" targetRef="visit" />'
                        '<bpmn:sequenceFlow id="f2" sourceRef="visit" targetRef="done" />')
    xml = xml.replace("<bpmn:flowNodeRef>site_visit_start</bpmn:flowNodeRef>",
                      "<bpmn:flowNodeRef>site_visit_start</bpmn:flowNodeRef><bpmn:flowNodeRef>visit</bpmn:flowNodeRef>"
                      "<bpmn:flowNodeRef>done</bpmn:flowNodeRef>")
    r = post_json(admin, f"/admin/designer/drafts/{draft_id}/deploy", {"xml": xml, "comment": "首版"})
    assert r.status_code == 201, r.get_json()
    definition = db.session.scalar(select(ProcessDefinition).where(ProcessDefinition.key == "site_visit"))
    assert definition.version == 1 and definition.name == "现场核查" and definition.comment == "首版"
    from app.engine import runtime
    case = runtime.start_case("site_visit", user=users["admin"], title="核查")
    [task] = open_task(case.id, "visit")
    assert task.role == "handler" and task.due_at is not None


def test_a_case_waiting_with_a_timer_migrates_and_follows_the_new_path(browser, orgs):
    from tests.conftest import at
    from app.engine import clock
    clock.travel_to(at("2026-11-02T09:00"))
    _, c = file_public_complaint(browser, orgs)
    handler = browser("handler")
    [t] = open_task(c.case_id, "triage")
    complete(handler, t, {"triage_decision": "accept"})
    before = db.session.get(Case, c.case_id).next_timer_at
    assert before is not None
    # v2: after the agency's response a new review task comes before mediation.
    v2xml = COMPLAINT.replace(
        '<bpmn:sequenceFlow id="flow_response" sourceRef="agency_response" targetRef="gw_merge"></bpmn:sequenceFlow>',
        '<bpmn:sequenceFlow id="flow_response" sourceRef="agency_response" targetRef="review"></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="flow_reviewed" sourceRef="review" targetRef="gw_merge"></bpmn:sequenceFlow>'
        '<bpmn:userTask id="review" name="回应审阅"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formKey" value="complaint.triage" /></spiffworkflow:properties></bpmn:extensionElements>'
        '<bpmn:incoming>flow_response</bpmn:incoming><bpmn:outgoing>flow_reviewed</bpmn:outgoing></bpmn:userTask>'
    ).replace('<bpmn:incoming>flow_response</bpmn:incoming><bpmn:incoming>flow_proceed</bpmn:incoming>',
              '<bpmn:incoming>flow_reviewed</bpmn:incoming><bpmn:incoming>flow_proceed</bpmn:incoming>'
    ).replace('<bpmn:flowNodeRef>mediation</bpmn:flowNodeRef>',
              '<bpmn:flowNodeRef>mediation</bpmn:flowNodeRef><bpmn:flowNodeRef>review</bpmn:flowNodeRef>')
    admin = browser("admin")
    v2 = deploy_v2(admin, v2xml)
    r = admin.post(f"/admin/designer/versions/{v1().id}/migrate", {"to": v2.id})
    assert r.status_code == 200
    db.session.expire_all()
    case = db.session.get(Case, c.case_id)
    assert case.definition_id == v2.id
    assert case.next_timer_at == before  # the waiting timer keeps its deadline
    [resp] = open_task(c.case_id, "agency_response")
    complete(browser("agency"), resp, {"response_text": "These consultants left in 2025; the page is now corrected."})
    assert open_task(c.case_id, "review") and not open_task(c.case_id, "mediation")
    db.session.expire_all()
    assert db.session.get(Case, c.case_id).next_timer_at is None  # the boundary timer was cancelled


def test_designer_posts_need_the_csrf_token(browser):
    admin = browser("admin")
    draft_id = make_draft(admin)
    r = admin._isolated(admin.client.post, f"/admin/designer/drafts/{draft_id}", json={"xml": renamed(COMPLAINT)})
    assert r.status_code == 400
    r = admin._isolated(admin.client.post, f"/admin/designer/drafts/{draft_id}/deploy", json={"xml": renamed(COMPLAINT)})
    assert r.status_code == 400
    assert db.session.get(ProcessDraft, draft_id).content == COMPLAINT
    assert db.session.scalar(select(db.func.count()).select_from(ProcessDefinition)
                             .where(ProcessDefinition.key == "complaint")) == 1
