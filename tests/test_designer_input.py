"""Designer input is linear and bounded: diagrams over BPMN_MAX_BYTES, BPMN_MAX_ELEMENTS or
BPMN_MAX_ATTRIBUTES are refused with a message naming the limit; the element signatures
(diff, validation) do work proportional to the diagram. Work is counted, never timed."""
from __future__ import annotations

import io

import pytest

from app import ROOT
from app.designer import rules
from app.engine import definitions
from app.engine.definitions import DefinitionError, parse_xml
from tests.test_designer import post_json

COMPLAINT = (ROOT / "bpmn" / "complaint.bpmn").read_text(encoding="utf-8")
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        '<bpmn:process id="p" isExecutable="true">')
TAIL = "</bpmn:process></bpmn:definitions>"


def with_tasks(n: int) -> str:
    return HEAD + "".join(f'<bpmn:task id="t{i}" name="task {i}"><bpmn:documentation>d</bpmn:documentation>'
                          f'</bpmn:task>' for i in range(n)) + TAIL


def with_attributes(n: int) -> str:
    return HEAD + '<bpmn:task id="t" ' + " ".join(f'a{i}="v"' for i in range(n)) + " />" + TAIL


def test_the_element_cap_is_a_clear_problem(app, browser):
    app.config["BPMN_MAX_ELEMENTS"] = 100
    with pytest.raises(DefinitionError, match="too many XML elements .*BPMN_MAX_ELEMENTS=100"):
        parse_xml(with_tasks(60))
    parse_xml(with_tasks(40))  # 3 + 2 x 40 elements
    r = post_json(browser("admin"), "/admin/designer/validate", {"xml": with_tasks(60)})
    assert r.status_code == 200 and not r.get_json()["ok"]
    assert "BPMN_MAX_ELEMENTS=100" in r.get_json()["problems"][0]["message"]


def test_the_attribute_cap_is_a_clear_problem(app, browser):
    app.config["BPMN_MAX_ATTRIBUTES"] = 500
    with pytest.raises(DefinitionError, match="too many XML attributes .*BPMN_MAX_ATTRIBUTES=500"):
        parse_xml(with_attributes(600))
    admin = browser("admin")
    r = admin.post("/admin/designer/upload", {"file": (io.BytesIO(with_attributes(600).encode()), "many.bpmn")},
                   content_type="multipart/form-data")
    assert r.status_code == 422
    assert "BPMN_MAX_ATTRIBUTES=500" in r.get_data(as_text=True)


def test_the_defaults_take_a_real_diagram_and_refuse_twenty_thousand_elements(app):
    assert app.config["BPMN_MAX_ELEMENTS"] == 20_000 and app.config["BPMN_MAX_ATTRIBUTES"] == 100_000
    parse_xml(COMPLAINT)
    with pytest.raises(DefinitionError, match="BPMN_MAX_ELEMENTS=20000"):
        parse_xml(with_tasks(10_001), max_bytes=10**8)


def test_bpmn_max_bytes_is_read_from_the_config(app, browser):
    app.config["BPMN_MAX_BYTES"] = 1000
    with pytest.raises(DefinitionError, match="limit 1000"):
        parse_xml(COMPLAINT)
    r = post_json(browser("admin"), "/admin/designer/validate", {"xml": COMPLAINT})
    assert "limit 1000" in r.get_json()["problems"][0]["message"]
    r = browser("admin").post("/admin/designer/upload",
                              {"file": (io.BytesIO(COMPLAINT.encode()), "complaint.bpmn")},
                              content_type="multipart/form-data")
    assert r.status_code == 422 and "limit 1000" in r.get_data(as_text=True)


def test_without_an_app_the_defaults_apply():
    parse_xml(COMPLAINT)
    with pytest.raises(DefinitionError, match=f"limit {definitions.MAX_BYTES}"):
        parse_xml(HEAD + " " * definitions.MAX_BYTES + TAIL)


def count_calls(monkeypatch, module, name):
    calls = []
    real = getattr(module, name)

    def counted(*args, **kw):
        calls.append(1)
        return real(*args, **kw)
    monkeypatch.setattr(module, name, counted)
    return calls


def test_signatures_do_work_proportional_to_elements(monkeypatch):
    signatures = count_calls(monkeypatch, rules, "_signature")
    attribute_reads = count_calls(monkeypatch, rules, "_attributes")
    work = {}
    for n in (100, 1000):
        del signatures[:], attribute_reads[:]
        root = parse_xml(with_tasks(n))
        rules.elements(root)
        work[n] = (len(signatures), len(attribute_reads))
    # one signature per element and per nested non-element (the documentation): 2 per task, plus the process
    assert work[100] == (201, 201) and work[1000] == (2001, 2001)


def test_signatures_read_each_elements_attributes_once_however_many(monkeypatch):
    attribute_reads = count_calls(monkeypatch, rules, "_attributes")
    for n in (10, 10_000):
        del attribute_reads[:]
        info = rules.elements(parse_xml(with_attributes(n)))
        assert len(attribute_reads) == 2  # the process and the task: one read each, not one per attribute
        assert info["t"].signature.count("=v") == n


def test_attributes_are_read_as_the_tree_holds_them():
    root = parse_xml(COMPLAINT)
    for node in root.iter():
        if isinstance(node.tag, str):
            assert sorted(rules._attributes(node)) == sorted(node.attrib.items())
