"""Settings of config.py that pages read at request time: changing one changes what a user sees."""
from __future__ import annotations

import re

from tests.test_api import api  # noqa: F401  (fixture)
from tests.test_complaint_lifecycle import file_public_complaint


def _task_rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return len(re.findall(r"<tr class=", body))


def test_inbox_page_size_sets_tasks_per_inbox_page(app, browser, api, orgs):
    for _ in range(3):
        file_public_complaint(browser, orgs)
    handler = browser("handler")
    app.config["INBOX_PAGE_SIZE"] = 2
    html = handler.get("/inbox?scope=all").get_data(as_text=True)
    assert _task_rows(html) == 2
    assert 'class="pager"' in html
    app.config["INBOX_PAGE_SIZE"] = 20
    html = handler.get("/inbox?scope=all").get_data(as_text=True)
    assert _task_rows(html) == 3
    assert 'class="pager"' not in html
    # The API's default page follows the same setting.
    app.config["INBOX_PAGE_SIZE"] = 1
    r = api("handler").get("/api/v1/tasks?scope=all")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["per_page"] == 1 and len(r.get_json()["items"]) == 1


def test_languages_lists_the_languages_a_user_may_switch_to(app, browser):
    b = browser()
    app.config["LANGUAGES"] = ["zh_Hans_CN"]
    b.post("/language/en", {"next": "/"})
    assert '<html lang="zh-CN">' in b.get("/").get_data(as_text=True)
    app.config["LANGUAGES"] = ["zh_Hans_CN", "en"]
    b.post("/language/en", {"next": "/"})
    assert '<html lang="en">' in b.get("/").get_data(as_text=True)
