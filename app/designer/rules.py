"""Pure functions over BPMN XML: the elements and diagram shapes of a file, the diff
between two versions (版本差异), a blank diagram. No database, no HTTP."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from ..engine.definitions import BPMN_NS, parse_xml

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DI_TAGS = {f"{{{BPMNDI_NS}}}BPMNShape", f"{{{BPMNDI_NS}}}BPMNEdge"}
# Children that only repeat what sequence flows already say; they do not make a change.
_DERIVED = {f"{{{BPMN_NS}}}incoming", f"{{{BPMN_NS}}}outgoing"}


@dataclass(frozen=True)
class ElementInfo:
    id: str
    kind: str  # the BPMN tag without namespace, e.g. userTask
    name: str | None
    signature: str  # canonical text of what the element says (without nested elements that have ids)


@dataclass
class Diff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        return {"added": self.added, "removed": self.removed, "changed": self.changed}


def _root(content):
    return content if isinstance(content, etree._Element) else parse_xml(content)


# Attributes at their BPMN default value say nothing; modelers add or drop them freely.
_DEFAULTS = {"cancelActivity": "true", "isInterrupting": "true", "isClosed": "false", "parallelMultiple": "false",
             "isForCompensation": "false", "startQuantity": "1", "completionQuantity": "1", "isSequential": "false",
             "gatewayDirection": "Unspecified", "instantiate": "false", "eventGatewayType": "Exclusive",
             "triggeredByEvent": "false", "isCollection": "false", "isImmediate": "true",
             "implementation": "##unspecified", "processType": "None"}


_ALL_ATTRIBUTES = etree.XPath("@*")


def _attributes(node: etree._Element) -> list[tuple[str, str]]:
    """(name, value) of every attribute, in linear time. (lxml's ``attrib.items()`` looks
    each value up by name again, which is quadratic in the number of attributes: 100,000
    attributes took minutes.) Names are in Clark notation like ``attrib``'s keys."""
    return [(a.attrname, str(a)) for a in _ALL_ATTRIBUTES(node)]


def _signature(node: etree._Element) -> str:
    parts = [etree.QName(node).localname]
    parts += [f"{k}={v}" for k, v in sorted(_attributes(node)) if k != "id" and _DEFAULTS.get(k) != v]
    text = (node.text or "").strip()
    if text:
        parts.append(f"text={text}")
    for child in node:
        if not isinstance(child.tag, str) or child.tag in _DERIVED:
            continue
        if _is_element(child):
            continue  # an element of its own: compared by its own id
        else:
            parts.append("{" + _signature(child) + "}")
    return "|".join(parts)


def _is_element(node) -> bool:
    """A BPMN model element in its own right (a task, flow, lane, event definition, ...)."""
    return node.get("id") is not None and etree.QName(node).namespace == BPMN_NS


def elements(content) -> dict[str, ElementInfo]:
    """Every BPMN model element with an id (processes, lanes, nodes, flows, event
    definitions, ...) by id; diagram interchange (DI) is not included."""
    root = _root(content)
    out: dict[str, ElementInfo] = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or node is root or not _is_element(node):
            continue
        out[node.get("id")] = ElementInfo(node.get("id"), etree.QName(node).localname, node.get("name"),
                                          _signature(node))
    return out


def di_shapes(content) -> dict[str, str]:
    """Diagram shapes and edges: DI id -> the id of the element it draws."""
    root = _root(content)
    return {node.get("id") or f"?{i}": node.get("bpmnElement") or ""
            for i, node in enumerate(root.iter(*DI_TAGS))}


def drawn_elements(content) -> set[str]:
    return set(di_shapes(content).values()) - {""}


def diff(old, new) -> Diff:
    """Elements added, removed and changed (same id, different content) from ``old`` to ``new``.
    Moving a shape on the diagram is not a change; renaming, re-configuring or reconnecting is."""
    before, after = elements(old), elements(new)
    result = Diff(
        added=sorted(set(after) - set(before)),
        removed=sorted(set(before) - set(after)),
        changed=sorted(i for i in set(before) & set(after) if before[i].signature != after[i].signature))
    return result


def process_ids(content) -> list[str]:
    root = _root(content)
    return [p.get("id") for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("id")]


_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]{0,99}$")


def valid_key(key: str) -> bool:
    """A process key is the BPMN process id: an XML NCName, at most 100 characters."""
    return bool(key and _KEY_RE.match(key))


def blank_diagram(key: str, name: str, lane_role: str = "handler") -> str:
    """A new executable process: one lane (a role), a start event, nothing else."""
    k, n = escape(key), quoteattr(name or key)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="{k}_definitions" targetNamespace="https://jianping.example.org/bpmn" exporter="Jianping" exporterVersion="0.1">
  <bpmn:collaboration id="{k}_collaboration"><bpmn:participant id="{k}_participant" name={n} processRef="{k}" /></bpmn:collaboration>
  <bpmn:process id="{k}" name={n} isExecutable="true">
    <bpmn:laneSet id="{k}_lanes"><bpmn:lane id="{k}_lane" name="{escape(lane_role)}"><bpmn:flowNodeRef>{k}_start</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="{k}_start" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{k}_diagram"><bpmndi:BPMNPlane id="{k}_plane" bpmnElement="{k}_collaboration">
    <bpmndi:BPMNShape id="{k}_participant_di" bpmnElement="{k}_participant" isHorizontal="true"><dc:Bounds x="60" y="40" width="900" height="220" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="{k}_lane_di" bpmnElement="{k}_lane" isHorizontal="true"><dc:Bounds x="90" y="40" width="870" height="220" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="{k}_start_di" bpmnElement="{k}_start"><dc:Bounds x="140" y="132" width="36" height="36" /></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def keep_lost_shapes(previous, new: str) -> str:
    """bpmn-js does not draw some valid diagram shapes (e.g. those of a process no pool
    refers to) and so drops them on export. Put back every shape or edge of ``previous``
    that ``new`` lacks while the element it draws still exists in ``new``; anything the
    user deleted stays deleted. Returns ``new`` unchanged when nothing was lost."""
    import copy

    old_root, new_root = _root(previous), parse_xml(new)
    have = {n.get("id") for n in new_root.iter(*DI_TAGS)}
    existing = set(elements(new_root))

    def still_drawn(n):
        if n.get("bpmnElement"):
            return n.get("bpmnElement") in existing
        # a drawing-only edge (no model element): kept while the shapes it joins are
        ends = [n.get("sourceElement"), n.get("targetElement")]
        return all(e in have for e in ends if e)

    lost = [n for n in old_root.iter(*DI_TAGS) if n.get("id") not in have and still_drawn(n)]
    if not lost:
        return new
    planes = {p.get("id"): p for p in new_root.iter(f"{{{BPMNDI_NS}}}BPMNPlane")}
    if not planes:
        return new
    first = next(iter(planes.values()))
    for node in lost:
        parent = node.getparent()
        target = planes.get(parent.get("id")) if parent is not None else None
        (target if target is not None else first).append(copy.deepcopy(node))
    return etree.tostring(new_root, xml_declaration=True, encoding="UTF-8").decode("utf-8")
