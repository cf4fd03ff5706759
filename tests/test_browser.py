"""End to end in Chromium: a member of the public files a complaint, the handler triages
it from the inbox and sees the case timeline; the inbox also works on a phone.

Uses Debian's Chromium (/usr/bin/chromium; `make test` installs it), never a Playwright
browser download. Elements are found by name, id and role, or by texts that come from
the BPMN or the demo data, so the test holds in every UI language.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_server import CHROMIUM, build_app, chromium_browser, serve


AGENCY = "华信两化咨询有限公司"
TRIAGE = "受理审查"  # the triage task's name in bpmn/complaint.bpmn
FACTS = "该机构在平台公开的人员名单中列出了从未在该机构工作过的咨询师。"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="/usr/bin/chromium is not installed (`make test` installs Debian's chromium)"),
]


@pytest.fixture
def live_app(tmp_path):
    return build_app(tmp_path)


@pytest.fixture
def base_url(live_app):
    with serve(live_app) as url:
        yield url


@pytest.fixture
def chromium():
    with chromium_browser() as browser:
        yield browser


def new_page(chromium, base_url, **context_options):
    context = chromium.new_context(base_url=base_url, **context_options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return page


def submit(page):
    """Click the primary submit button of the page's main form and wait for the next page."""
    with page.expect_navigation():
        page.locator("main form.form button[type=submit].primary").click()


def no_horizontal_overflow(page) -> tuple[int, int]:
    return page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")


def event_labels(app, page, *kinds) -> list[str]:
    """The timeline labels of event kinds, in the language the page is shown in."""
    from flask_babel import force_locale

    event_label = app.jinja_env.globals["event_label"]  # what templates/engine/case.html renders with
    locale = "zh_Hans_CN" if page.evaluate("document.documentElement.lang").startswith("zh") else "en"
    with app.test_request_context("/"), force_locale(locale):
        return [str(event_label(kind)) for kind in kinds]


def file_complaint(page):
    page.goto("/complaints/new")
    page.check("input[name=kind][value=complaint]")
    page.select_option("select[name=agency_id]", label=AGENCY)
    page.select_option("select[name=category]", value="false_disclosure")
    page.fill("textarea[name=facts]", FACTS)
    page.fill("input[name=complainant_name]", "王先生")
    page.fill("input[name=complainant_contact]", "13800000000")
    submit(page)
    assert re.search(r"/complaints/track/[^/]+$", page.url), page.url
    assert page.locator("#status").is_visible()


def log_in(page, username, password):
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    submit(page)
    assert "/login" not in page.url, page.locator("main").inner_text()


def test_public_complaint_then_handler_triage(chromium, base_url, live_app):
    public = new_page(chromium, base_url)
    file_complaint(public)

    handler = new_page(chromium, base_url)
    log_in(handler, "handler", "handler-demo-1")
    handler.goto("/inbox")
    task_link = handler.locator("table.list tbody a", has_text=TRIAGE)
    assert task_link.count() == 1
    with handler.expect_navigation():
        task_link.click()
    assert re.search(r"/tasks/\d+$", handler.url), handler.url
    assert handler.locator("main h1").inner_text().strip() == TRIAGE

    handler.check("input[name=triage_decision][value=accept]")
    submit(handler)
    assert re.search(r"/cases/\d+$", handler.url), handler.url

    timeline = handler.locator("#timeline")
    assert timeline.is_visible()
    text = timeline.inner_text()
    started, completed = event_labels(live_app, handler, "case.started", "task.completed")
    assert started in text, text
    assert completed in text, text
    assert any(TRIAGE in item and completed in item for item in timeline.locator("li").all_inner_texts()), text
    assert not public.js_errors and not handler.js_errors, public.js_errors + handler.js_errors


def test_inbox_on_a_phone(chromium, base_url):
    public = new_page(chromium, base_url)
    file_complaint(public)

    phone = new_page(chromium, base_url, viewport={"width": 390, "height": 844}, device_scale_factor=3,
                     is_mobile=True, has_touch=True)
    log_in(phone, "handler", "handler-demo-1")
    phone.goto("/inbox")
    assert phone.locator("main h1").is_visible()
    task_link = phone.locator("table.list tbody a", has_text=TRIAGE)
    assert task_link.is_visible()
    scroll_width, inner_width = no_horizontal_overflow(phone)
    assert scroll_width <= inner_width + 1, f"/inbox overflows horizontally: {scroll_width}px > {inner_width}px"

    # The task page must fit too.
    with phone.expect_navigation():
        task_link.click()
    assert phone.locator("input[name=triage_decision][value=accept]").is_visible()
    scroll_width, inner_width = no_horizontal_overflow(phone)
    assert scroll_width <= inner_width + 1, f"task page overflows horizontally: {scroll_width}px > {inner_width}px"
