"""The process designer in Chromium: open a version in the modeler, add a user task, see
the validation error on the diagram, fix it with the properties form, deploy, start a case
on the new version and see it on the case page's diagram.

Uses Debian's Chromium (/usr/bin/chromium), never a Playwright browser download, and the
bundle in app/static/dist (`make frontend`)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_server import CHROMIUM, build_app, chromium_browser, serve

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "app" / "static" / "dist" / "designer.js"
AGENCY = "华信两化咨询有限公司"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed"),
    pytest.mark.skipif(not BUNDLE.exists(), reason="front-end bundle missing: run `make frontend`"),
]


@pytest.fixture
def live(tmp_path):
    app = build_app(tmp_path)
    with serve(app) as url:
        yield app, url


@pytest.fixture
def chromium():
    with chromium_browser() as browser:
        yield browser


def _page(chromium, base_url):
    context = chromium.new_context(base_url=base_url, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return page


def _log_in(page, username, password):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url


ADD_TASK = """() => {
  const m = window.jianpingModeler;
  const reg = m.get('elementRegistry'), modeling = m.get('modeling');
  const start = reg.get('start'), triage = reg.get('triage');
  modeling.moveElements([start], {x: -40, y: 0});
  modeling.removeConnection(reg.get('flow_start'));
  const task = modeling.appendShape(start, {type: 'bpmn:UserTask'}, {x: 150, y: 210});
  modeling.updateLabel(task, '初审登记');
  modeling.connect(task, triage);
  m.get('selection').select(task);
  return task.id;
}"""


def test_design_validate_fix_deploy_and_run(chromium, live):
    app, base_url = live
    page = _page(chromium, base_url)
    _log_in(page, "admin", "admin-demo-1")
    page.goto("/admin/designer/")
    with page.expect_navigation():
        page.locator("table.versions[data-key=complaint] tr[data-version='1'] button[name=edit]").click()
    page.wait_for_selector("#designer[data-ready=true]")
    assert page.locator(".djs-element[data-element-id=triage]").count() == 1

    task_id = page.evaluate(ADD_TASK)
    # The properties form shows the new task; it has no form yet.
    page.wait_for_selector(f".jp-props[data-element='{task_id}'] select[name=formKey]")
    # It was drawn in the handler lane; moving it to the agency lane and back goes through the form.
    lane = page.locator(f".jp-props[data-element='{task_id}'] select[name=lane]")
    assert lane.input_value() == "lane_handler"
    lane.select_option("lane_agency")
    page.wait_for_function(f"() => window.jianpingModeler.get('elementRegistry').get('lane_agency')"
                           f".businessObject.flowNodeRef.some(n => n.id === '{task_id}')")
    page.locator(f".jp-props[data-element='{task_id}'] select[name=lane]").select_option("lane_handler")
    page.wait_for_function(f"() => window.jianpingModeler.get('elementRegistry').get('lane_handler')"
                           f".businessObject.flowNodeRef.some(n => n.id === '{task_id}')")

    page.click("[data-action=validate]")
    page.locator(".jp-problems li").first.wait_for()
    problem = page.locator(f".jp-problems li[data-element='{task_id}']")
    assert problem.count() >= 1, page.locator(".jp-problems").inner_text()
    assert "formKey" in problem.first.inner_text()
    assert page.locator(f".djs-element.jp-problem[data-element-id='{task_id}']").count() == 1
    # Clicking a problem selects the element.
    page.evaluate("() => window.jianpingModeler.get('selection').select([])")
    page.wait_for_selector(".jp-props:not([data-element]) , .jp-props h3")
    problem.first.click()
    page.wait_for_selector(f".jp-props[data-element='{task_id}'] select[name=formKey]")
    assert page.evaluate("() => window.jianpingModeler.get('selection').get().map(e => e.id)") == [task_id]

    # Deploying with the problem is refused.
    page.fill("input[name=comment]", "增加初审登记")
    page.click("[data-action=deploy]")
    page.wait_for_selector("[data-status].error")

    # Fix it in the properties form and validate again.
    page.select_option(f".jp-props[data-element='{task_id}'] select[name=formKey]", "complaint.triage")
    page.fill(f".jp-props[data-element='{task_id}'] input[name=dueIn]", "2 working days")
    page.locator(f".jp-props[data-element='{task_id}'] input[name=dueIn]").dispatch_event("change")
    page.click("[data-action=validate]")
    page.wait_for_selector("[data-status].success")
    assert page.locator(".djs-element.jp-problem").count() == 0

    page.click("[data-action=deploy]")
    link = page.locator("#deployed-link")
    link.wait_for()
    with page.expect_navigation():
        link.click()
    assert re.search(r"/admin/designer/versions/\d+$", page.url)
    assert "v2" in page.locator("main h1").inner_text()
    page.wait_for_selector("[data-bpmn-viewer][data-ready=true]")
    assert page.locator(f".djs-element.jp-added[data-element-id='{task_id}']").count() == 1

    # A new case starts on version 2 and its diagram shows the new task as current.
    public = _page(chromium, base_url)
    public.goto("/complaints/new")
    public.check("input[name=kind][value=complaint]")
    public.select_option("select[name=agency_id]", label=AGENCY)
    public.select_option("select[name=category]", value="false_disclosure")
    public.fill("textarea[name=facts]", "该机构在平台公开的人员名单中列出了从未在该机构工作过的咨询师。")
    public.fill("input[name=complainant_name]", "王先生")
    public.fill("input[name=complainant_contact]", "13800000000")
    with public.expect_navigation():
        public.locator("main form.form button[type=submit].primary").click()

    from app.engine.models import Case
    from app.extensions import db
    with app.app_context():
        case = db.session.scalars(db.select(Case).order_by(Case.id.desc())).first()
        assert case.definition.version == 2
        case_id = case.id
    page.goto(f"/cases/{case_id}")
    page.wait_for_selector("[data-bpmn-viewer][data-ready=true]")
    assert page.locator(f".djs-element.jp-current[data-element-id='{task_id}']").count() == 1
    assert page.locator(".djs-element.jp-completed[data-element-id='start']").count() == 1
    assert page.locator(".djs-element.jp-current[data-element-id='triage']").count() == 0
    page.locator(f".djs-element[data-element-id='{task_id}']").click()
    assert "初审登记" in page.locator("#diagram-info").inner_text()
    assert not page.js_errors and not public.js_errors, page.js_errors + public.js_errors


def test_reference_diagrams_survive_opening_and_saving_in_the_designer(chromium, live):
    """Every MIWG reference file and our own diagrams, opened in the modeler and saved as
    a draft (the modeler's export), keep every element id and every diagram shape."""
    from app.auth.models import User
    from app.designer import rules, services
    from app.designer.models import ProcessDraft
    from app.extensions import db

    app, base_url = live
    from tests.test_designer import MIWG, MIWG_COUNT

    miwg = sorted(MIWG.glob("*.bpmn"))
    # A missing reference file fails the test; it is never skipped.
    assert len(miwg) == MIWG_COUNT, (MIWG, [p.name for p in miwg])
    files = miwg + sorted((ROOT / "bpmn").glob("*.bpmn"))
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.username == "admin"))
        drafts = {path: services.create_draft(admin, path.read_bytes(), source=path.name).id for path in files}
    page = _page(chromium, base_url)
    _log_in(page, "admin", "admin-demo-1")
    for path, draft_id in drafts.items():
        xml = path.read_text(encoding="utf-8")
        page.goto(f"/admin/designer/drafts/{draft_id}")
        page.wait_for_selector("#designer[data-ready=true]")
        exported = page.evaluate("() => window.jianpingDesigner.exportXml()")
        assert set(rules.elements(exported)) == set(rules.elements(xml)), path.name
        page.click("[data-action=save]")
        page.wait_for_selector("[data-status].success")
        with app.app_context():
            saved = db.session.get(ProcessDraft, draft_id).content
        assert set(rules.elements(saved)) == set(rules.elements(xml)), path.name
        assert rules.di_shapes(saved) == rules.di_shapes(xml), path.name
        if path.parent == ROOT / "bpmn":
            # Our own diagrams: nothing this engine reads may change.
            assert rules.diff(xml, saved).empty, (path.name, rules.diff(xml, saved))
    assert not page.js_errors, page.js_errors


def test_properties_form_writes_conditions_timers_scripts_and_lanes(chromium, live):
    from app.designer import rules

    _app, base_url = live
    page = _page(chromium, base_url)
    _log_in(page, "admin", "admin-demo-1")
    page.goto("/admin/designer/")
    with page.expect_navigation():
        page.locator("table.versions[data-key=complaint] tr[data-version='1'] button[name=edit]").click()
    page.wait_for_selector("#designer[data-ready=true]")

    def select(element_id):
        page.evaluate("(id) => { const m = window.jianpingModeler;"
                      " m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)
        page.wait_for_selector(f".jp-props[data-element='{element_id}']")
        return f".jp-props[data-element='{element_id}']"

    def set_value(selector, value):
        page.fill(selector, value)
        page.locator(selector).dispatch_event("change")

    props = select("flow_reject")
    assert page.locator(f"{props} h3").inner_text() == "顺序流 · flow_reject"  # the UI speaks Chinese by default
    assert page.input_value(f"{props} textarea[name=condition]") == 'triage_decision == "reject"'
    set_value(f"{props} textarea[name=condition]", "triage_decision ==")  # not an expression
    props = select("timer_response")
    page.select_option(f"{props} select[name=timer_kind]", "timeDuration")
    set_value(f"{props} input[name=timer_value]", "3 working days")
    props = select("set_deadline")
    set_value(f"{props} textarea[name=script]", "response_due = due_after('7 working days')")
    props = select("lane_expert")
    page.select_option(f"{props} select[name=lane_role]", "handler")

    page.click("[data-action=validate]")
    page.locator(".jp-problems li").first.wait_for()
    flagged = set(page.eval_on_selector_all(".jp-problems li[data-element]", "els => els.map(e => e.dataset.element)"))
    assert flagged & {"gw_triage", "flow_reject"}, flagged
    assert page.locator(".djs-element.jp-problem").count() >= 1

    xml = page.evaluate("() => window.jianpingDesigner.exportXml()")
    els = rules.elements(xml)
    original = rules.elements((ROOT / "bpmn" / "complaint.bpmn").read_text(encoding="utf-8"))
    assert "triage_decision ==" in els["flow_reject"].signature
    assert "timeDuration" in els["timer_response_def"].signature and "3 working days" in els["timer_response_def"].signature
    assert "7 working days" in els["set_deadline"].signature
    assert els["lane_expert"].name == "handler"
    assert set(els) == set(original)
    assert not page.js_errors, page.js_errors
