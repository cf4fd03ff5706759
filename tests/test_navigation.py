"""The main navigation: each role sees exactly its links, in the same order, and the
notifications link counts the unread ones."""
import re

import pytest

from app.extensions import db

PUBLIC = ["/agencies", "/rating/notices", "/rating/recommended", "/decisions", "/stars/public"]
ADMIN_ONLY = ["/admin/calendar", "/admin/engine/doctor", "/admin/designer/", "/admin/incidents"]

EXPECTED = {
    None: ["/complaints/new", *PUBLIC],
    "admin": ["/inbox", "/complaints", "/rating/cycles", "/rating/reviews", "/feedback/overdue", "/stars/",
              *ADMIN_ONLY, "/notifications", *PUBLIC],
    "handler": ["/inbox", "/complaints", "/rating/cycles", "/rating/reviews", "/feedback/overdue", "/stars/",
                "/notifications", *PUBLIC],
    "expert1": ["/inbox", "/complaints", "/feedback/overdue", "/notifications", *PUBLIC],
    "agency": ["/inbox", "/complaints", "/agency/profile", "/notifications", *PUBLIC],
    "enterprise": ["/inbox", "/complaints", "/complaints/new", "/stars/", "/notifications", *PUBLIC],
    "certifier": ["/inbox", "/complaints", "/stars/", "/notifications", *PUBLIC],
}


def nav(page: str) -> list[str]:
    block = re.search(r"<nav>(.*?)</nav>", page, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"', block)


@pytest.mark.parametrize("username", list(EXPECTED), ids=lambda u: u or "anonymous")
def test_each_role_sees_exactly_its_links(browser, username):
    page = browser(username).get("/").get_data(as_text=True)
    assert nav(page) == EXPECTED[username]


def test_every_link_opens_for_the_role_it_is_shown_to(browser):
    for username, hrefs in EXPECTED.items():
        b = browser(username)
        for href in hrefs:
            assert b.get(href).status_code == 200, (username, href)


def test_notifications_link_counts_unread(browser, users):
    from app.notifications.services import notify
    page = browser("handler").get("/").get_data(as_text=True)
    assert 'class="badge"' not in page
    notify([users["handler"].id, users["handler"].id, users["admin"].id], "task_offered", {"task": "t", "case": "c"})
    notify([users["handler"].id], "task_offered", {"task": "t2", "case": "c"})
    db.session.commit()
    page = browser("handler").get("/").get_data(as_text=True)
    link = re.search(r'<a href="/notifications">(.*?)</a>', page, re.S).group(1)
    assert re.search(r'<span class="badge">\s*2\s*</span>', link)
