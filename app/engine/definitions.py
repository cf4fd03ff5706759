"""Process definitions: safe XML loading, parsing with SpiffWorkflow, this engine's
validation rules, versioning and the parsed-spec cache."""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.exceptions import SpiffWorkflowException

from ..extensions import db
from . import registry
from .deadlines import DurationError, is_duration, parse_duration
from .models import ProcessDefinition
from .scripting import check_expression, check_script

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
MAX_BYTES = 2 * 1024 * 1024  # defaults of BPMN_MAX_BYTES, BPMN_MAX_ELEMENTS, BPMN_MAX_ATTRIBUTES (config.py)
MAX_ELEMENTS = 20_000
MAX_ATTRIBUTES = 100_000

# Task properties this engine reads (spiffworkflow:properties on a user task).
TASK_PROPERTIES = {
    "formKey": "the registered form the task shows",
    "candidateOrg": "expression: id of the organisation whose users may do the task",
    "candidateUsers": "expression: list of user ids who may do the task",
    "assignee": "expression: id of the user the task is assigned to",
    "dueIn": "duration, e.g. '10 working days'",
    "dueDate": "expression: ISO date-time the task is due",
}


class DefinitionError(ValueError):
    """A diagram that cannot be deployed; ``problems`` lists (element id, message)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    element_id: str | None
    message: str

    def __str__(self):
        return f"{self.element_id}: {self.message}" if self.element_id else self.message

    def as_dict(self):
        return {"element_id": self.element_id, "message": self.message}


# --- safe XML ------------------------------------------------------------------------------

def _safe_parser() -> etree.XMLParser:
    # No DTD, no entity expansion, no network: uploaded BPMN is untrusted XML.
    return etree.XMLParser(resolve_entities=False, no_network=True, dtd_validation=False,
                           load_dtd=False, huge_tree=False, remove_comments=False)


def _limit(name: str, default: int) -> int:
    """A limit from the app's config (BPMN_MAX_BYTES, ...) when there is an app, else the default."""
    try:
        from flask import current_app
        return int(current_app.config.get(name, default))
    except RuntimeError:  # no application context (e.g. a script or the bench)
        return default


def max_bytes() -> int:
    return _limit("BPMN_MAX_BYTES", MAX_BYTES)


def parse_xml(content: str | bytes, max_bytes: int | None = None, *, max_elements: int | None = None,
              max_attributes: int | None = None) -> etree._Element:
    """Untrusted BPMN XML as a tree: bounded in bytes (BPMN_MAX_BYTES), elements
    (BPMN_MAX_ELEMENTS) and attributes (BPMN_MAX_ATTRIBUTES, over the whole file); no
    DOCTYPE or entities. Raises DefinitionError with a message saying which limit."""
    max_bytes = _limit("BPMN_MAX_BYTES", MAX_BYTES) if max_bytes is None else max_bytes
    max_elements = _limit("BPMN_MAX_ELEMENTS", MAX_ELEMENTS) if max_elements is None else max_elements
    max_attributes = _limit("BPMN_MAX_ATTRIBUTES", MAX_ATTRIBUTES) if max_attributes is None else max_attributes
    data = content.encode("utf-8") if isinstance(content, str) else content
    if len(data) > max_bytes:
        raise DefinitionError([Problem(None, f"file too large ({len(data)} bytes; limit {max_bytes})")])
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise DefinitionError([Problem(None, "DOCTYPE and entity declarations are not allowed")])
    try:
        root = etree.fromstring(data, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DefinitionError([Problem(None, f"not well-formed XML: {exc}")]) from exc
    elements = attributes = 0
    for node in root.iter():
        elements += 1
        if elements > max_elements:
            raise DefinitionError([Problem(None, f"too many XML elements (more than {max_elements}; "
                                                 f"limit BPMN_MAX_ELEMENTS={max_elements})")])
        attributes += len(node.attrib) if isinstance(node.tag, str) else 0
        if attributes > max_attributes:
            raise DefinitionError([Problem(None, f"too many XML attributes (more than {max_attributes}; "
                                                 f"limit BPMN_MAX_ATTRIBUTES={max_attributes})")])
    if etree.QName(root).namespace != BPMN_NS or etree.QName(root).localname != "definitions":
        raise DefinitionError([Problem(None, "not a BPMN 2.0 document (bpmn:definitions expected)")])
    return root


def _rewrite_human_timers(root: etree._Element) -> None:
    """A timer may say "10 working days" (or "3 days"): run it as a time-date timer
    whose expression asks the calendar for the deadline when the timer starts."""
    for tag in ("timeDuration", "timeDate"):
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            text = (node.text or "").strip()
            if text and is_duration(text) and not text.upper().startswith(("P", "'P", '"P')):
                node.tag = f"{{{BPMN_NS}}}timeDate"
                node.text = f"due_after({text!r})"
            elif text and text.upper().startswith("P") and is_duration(text):
                # A bare ISO duration (P3D) is also accepted without quotes.
                node.text = repr(text)


# --- parsing -------------------------------------------------------------------------------

@dataclass
class ParsedDefinition:
    key: str
    name: str
    spec: object
    subprocess_specs: dict
    root: etree._Element


_validator = None
_validator_lock = threading.Lock()


def _xsd_validator() -> BpmnValidator:
    global _validator
    with _validator_lock:
        if _validator is None:
            _validator = BpmnValidator()
    return _validator


def parse_definition(content: str | bytes, *, check_schema: bool = True) -> ParsedDefinition:
    root = parse_xml(content)
    _rewrite_human_timers(root)
    parser = SpiffBpmnParser(validator=_xsd_validator() if check_schema else None)
    try:
        parser.add_bpmn_xml(etree.ElementTree(root))
        ids = parser.get_process_ids()
        if not ids:
            raise DefinitionError([Problem(None, "no executable process (isExecutable=\"true\") in the file")])
        key = ids[0]
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except DefinitionError:
        raise
    except ValidationException as exc:
        raise DefinitionError([Problem(getattr(exc, "id", None), str(exc).split("\n")[0])]) from exc
    except SpiffWorkflowException as exc:
        raise DefinitionError([Problem(getattr(exc, "id", None) or getattr(exc, "task_spec", None) and exc.task_spec.name, str(exc).split("\n")[0])]) from exc
    except Exception as exc:  # the parser raises plain errors for unsupported constructs
        raise DefinitionError([Problem(None, f"cannot parse the diagram: {exc}")]) from exc
    process = root.find(f".//{{{BPMN_NS}}}process[@id='{key}']")
    name = (process.get("name") if process is not None else None) or key
    return ParsedDefinition(key, name, spec, subprocess_specs, root)


def task_properties(task_spec) -> dict:
    ext = getattr(task_spec, "extensions", None) or {}
    return ext.get("properties", {}) or {}


def engine_problems(parsed: ParsedDefinition) -> list[Problem]:
    """This engine's rules beyond what SpiffWorkflow checks."""
    roles = registry.role_names()
    problems: list[Problem] = []
    specs = [parsed.spec, *parsed.subprocess_specs.values()]
    for process_spec in specs:
        for name, ts in process_spec.task_specs.items():
            element = getattr(ts, "bpmn_id", None) or name
            if getattr(ts, "manual", False):
                props = task_properties(ts)
                form_key = props.get("formKey")
                if not form_key:
                    problems.append(Problem(element, "user task has no form (property formKey)"))
                elif not registry.has_form(form_key):
                    problems.append(Problem(element, f"unknown form {form_key!r}"))
                lane = getattr(ts, "lane", None)
                if not lane:
                    problems.append(Problem(element, "user task is in no lane (the lane names the role)"))
                elif lane not in roles:
                    problems.append(Problem(element, f"lane {lane!r} is not a role ({', '.join(roles)})"))
                for prop in ("candidateOrg", "candidateUsers", "assignee", "dueDate"):
                    if props.get(prop):
                        err = check_expression(props[prop])
                        if err:
                            problems.append(Problem(element, f"{prop}: {err}"))
                if props.get("dueIn"):
                    try:
                        parse_duration(props["dueIn"])
                    except DurationError as exc:
                        problems.append(Problem(element, f"dueIn: {exc}"))
            script = getattr(ts, "script", None)
            if isinstance(script, str):
                err = check_script(script)
                if err:
                    problems.append(Problem(element, f"script: {err}"))
            for attr in ("prescript", "postscript"):
                src = getattr(ts, attr, None)
                if src:
                    err = check_script(src)
                    if err:
                        problems.append(Problem(element, f"{attr}: {err}"))
            cond_map = getattr(ts, "cond_task_specs", None)
            if cond_map:
                for cond, _target in cond_map:
                    if cond is not None:
                        cond = cond.args[0] if hasattr(cond, "args") else cond
                        err = check_expression(cond)
                        if err:
                            problems.append(Problem(element, f"condition {cond!r}: {err}"))
            if isinstance(ts, CatchingEvent):
                ev = getattr(ts, "event_definition", None)
                if isinstance(ev, TimerEventDefinition):
                    err = check_expression(ev.expression)
                    if err:
                        problems.append(Problem(element, f"timer {ev.expression!r}: {err}"))
    # Lanes that name no role, even without tasks in them.
    for lane in parsed.root.iter(f"{{{BPMN_NS}}}lane"):
        lane_name = lane.get("name")
        if lane_name and lane_name not in roles:
            problems.append(Problem(lane.get("id"), f"lane {lane_name!r} is not a role ({', '.join(roles)})"))
    # de-duplicate, keep order
    seen, unique = set(), []
    for p in problems:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def validate(content: str | bytes) -> list[Problem]:
    """Every problem that stops deployment; empty when the diagram can go live."""
    try:
        parsed = parse_definition(content)
    except DefinitionError as exc:
        return exc.problems
    return engine_problems(parsed)


# --- versions ------------------------------------------------------------------------------

def content_hash(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def latest(key: str) -> ProcessDefinition | None:
    return db.session.scalars(
        db.select(ProcessDefinition).where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc()).limit(1)).first()


def deploy(content: str, *, source: str | None = None, author_id: int | None = None,
           comment: str | None = None) -> tuple[ProcessDefinition, bool]:
    """Validate and store ``content`` as the next version of its process, unless the
    latest version has the same content. Returns (definition, created). Does not commit."""
    parsed = parse_definition(content)
    problems = engine_problems(parsed)
    if problems:
        raise DefinitionError(problems)
    digest = content_hash(content)
    current = latest(parsed.key)
    if current is not None and current.content_hash == digest:
        return current, False
    definition = ProcessDefinition(
        key=parsed.key, version=(current.version + 1) if current else 1, name=parsed.name,
        content=content, content_hash=digest, source=source, author_id=author_id, comment=comment)
    db.session.add(definition)
    db.session.flush()
    if _cache_enabled():
        _spec_cache[digest] = (parsed.spec, parsed.subprocess_specs)
    from .audit import record
    record("definition.deployed", f"{parsed.key} v{definition.version}", actor_id=author_id,
           detail={"key": parsed.key, "version": definition.version, "source": source})
    return definition, True


def deploy_directory(path: str | Path, author_id: int | None = None) -> list[tuple[ProcessDefinition, bool]]:
    results = []
    for file in sorted(Path(path).glob("*.bpmn")):
        results.append(deploy(file.read_text(encoding="utf-8"), source=file.name, author_id=author_id))
    return results


# --- the spec cache ------------------------------------------------------------------------

_spec_cache: dict[str, tuple] = {}  # content hash -> parsed specs


def _cache_enabled() -> bool:
    from flask import current_app, has_app_context
    return not has_app_context() or current_app.config.get("ENGINE_SPEC_CACHE", True)


def spec_for(definition: ProcessDefinition) -> tuple:
    """(spec, subprocess_specs) of a stored version, parsed once per process.

    With ``ENGINE_SPEC_CACHE`` off every call parses afresh, as a second worker process
    or a restarted server would: tests run the lifecycles that way."""
    cached = _spec_cache.get(definition.content_hash) if _cache_enabled() else None
    if cached is None:
        parsed = parse_definition(definition.content, check_schema=False)
        cached = (parsed.spec, parsed.subprocess_specs)
        if _cache_enabled():
            _spec_cache[definition.content_hash] = cached
    return cached


def clear_spec_cache() -> None:
    """Forget every parsed spec (what a restart does)."""
    _spec_cache.clear()
