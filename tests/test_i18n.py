"""The UI speaks Simplified Chinese first and English on request, and every string in
the code and templates has a Chinese translation in the committed catalogue."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
PO = TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
POT = TRANSLATIONS / "messages.pot"
# The same keywords as `pybabel extract -k _l -k lazy_gettext` (see babel.cfg).
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


def _catalog(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="zh_Hans_CN" if path.suffix == ".po" else None)


def compile_catalogue() -> None:
    """Compile the .po into the .mo the app loads (.mo files are not committed), so the
    tests work on a fresh clone; recompile when the .po is newer."""
    if MO.exists() and MO.stat().st_mtime >= PO.stat().st_mtime:
        return
    catalog = _catalog(PO)
    tmp = MO.with_suffix(f".mo.{os.getpid()}.tmp")
    with tmp.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    os.replace(tmp, MO)


# At collection, so the catalogue is compiled before any test of the session runs
# (other modules' tests render pages too).
compile_catalogue()


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- pages ---------------------------------------------------------------------------------

def test_home_is_chinese_by_default(browser):
    html = page(browser().get("/"))
    assert '<html lang="zh-CN">' in html
    assert "投诉" in html
    assert "提交投诉或举报" in html and "处理结果公布" in html
    assert "File a complaint or report" not in html
    assert "Published decisions" not in html


def test_language_switch_to_english_and_back(browser):
    b = browser()
    r = b.post("/language/en", {"next": "/"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/")
    html = page(b.get("/"))
    assert '<html lang="en">' in html
    assert "File a complaint or report" in html and "Published decisions" in html
    assert "提交投诉或举报" not in html
    b.post("/language/zh_Hans_CN", {"next": "/"})
    html = page(b.get("/"))
    assert '<html lang="zh-CN">' in html and "提交投诉或举报" in html


def test_handler_inbox_is_chinese(browser):
    html = page(browser("handler").get("/inbox"))
    assert '<html lang="zh-CN">' in html
    assert "待办事项" in html
    assert ("截止时间" in html and "认领" in html) or "暂无待办事项" in html
    assert "Inbox" not in html


def test_handler_inbox_in_english_after_switch(browser):
    b = browser("handler")
    b.post("/language/en", {"next": "/inbox"})
    html = page(b.get("/inbox"))
    assert "Inbox" in html and "待办事项" not in html


def test_forms_and_lazy_labels_are_chinese(browser):
    html = page(browser().get("/complaints/new"))
    # lazy_gettext labels, choices and descriptions of the WTForms form
    for text in ("被投诉（举报）机构", "证据材料", "事实经过", "披露信息不实", "举报", "联系方式（电话或电子邮箱）"):
        assert text in html, text
    html = page(browser().get("/login"))
    assert "用户名" in html and "密码" in html and "登录" in html


def test_validation_errors_are_chinese(browser):
    r = browser().post("/complaints/new", {"kind": "complaint", "category": "other", "facts": "短"})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "请修改标出的填写项。" in html
    # WTForms' own messages come from its Chinese catalogue (Flask-WTF follows the locale)
    assert "该字段是必填字段。" in html
    assert "This field is required." not in html


# --- the catalogue -------------------------------------------------------------------------

def test_every_msgid_has_a_chinese_translation():
    catalog = _catalog(PO)
    messages = [m for m in catalog if m.id]
    assert messages
    untranslated = [m.id for m in messages if not (m.string if isinstance(m.string, str) else all(m.string))]
    assert not untranslated, f"untranslated msgids: {untranslated}"
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not fuzzy, f"fuzzy entries (review them and drop the flag): {fuzzy}"


def test_placeholders_are_kept():
    catalog = _catalog(PO)
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, (message.id, string)
            # Jinja applies "%" formatting to every translated string: no stray percent signs.
            assert "%" not in PLACEHOLDER.sub("", string).replace("%%", ""), (message.id, string)
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalog.check()]
    assert not errors, errors


def test_catalogue_covers_the_current_source():
    """Extract like `pybabel extract -F babel.cfg -k _l -k lazy_gettext` and compare:
    a string wrapped in _() but missing from the .po fails here. To fix: re-extract,
    `pybabel update -i app/translations/messages.pot -d app/translations`, translate."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    assert found
    po_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(PO) if m.id}
    pot_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog(POT) if m.id}
    missing = {msgid: where for msgid, where in found.items() if msgid not in po_ids}
    assert not missing, f"strings without a catalogue entry (re-extract and translate): {missing}"
    assert set(found) <= pot_ids, f"messages.pot is out of date: {sorted(set(found) - pot_ids)}"


def test_compiled_catalogue_is_loaded(app):
    from flask_babel import force_locale, gettext
    with app.test_request_context("/"):
        with force_locale("zh_Hans_CN"):
            assert gettext("Inbox") == "待办事项"
            assert gettext("New task: %(task)s (%(case)s)", task="受理审查", case="投诉：甲") == "新任务：受理审查（投诉：甲）"
        with force_locale("en"):
            assert gettext("Inbox") == "Inbox"
