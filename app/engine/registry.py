"""Where other packages plug into the engine: task forms, completion hooks, case
access policies, the roles lanes may name. The engine knows keys, never a domain;
packages register when the app factory calls their ``hooks.register(app)``."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from . import events


@dataclass
class FormBinding:
    key: str
    form_class: type
    title: str | None = None
    on_complete: list[Callable] = field(default_factory=list)
    prepare: Callable | None = None  # (form, case, task, submitted) -> None: choices, defaults


_forms: dict[str, FormBinding] = {}
_case_access: dict[str, Callable] = {}
_case_summaries: dict[str, Callable] = {}
_task_created: dict[str, list[Callable]] = {}
_status_labels: dict[str, Callable] = {}


def task_form(key: str, title=None):
    """Class decorator: register a WTForms class as the form of tasks with formKey ``key``."""
    def decorate(cls):
        existing = _forms.get(key)
        if existing and existing.form_class is not cls and existing.form_class.__qualname__ != cls.__qualname__:
            raise ValueError(f"form key {key!r} registered twice")
        binding = existing or FormBinding(key, cls, title)
        binding.form_class, binding.title = cls, title
        _forms[key] = binding
        return cls
    return decorate


def on_complete(key: str):
    """Function decorator: ``fn(ctx)`` runs inside the completion transaction of tasks
    with this formKey, after validation and before the engine moves on; it may add to
    ``ctx.data`` (what goes into the workflow) and write domain rows."""
    def decorate(fn):
        binding = _forms.get(key)
        if binding is None:
            raise ValueError(f"register the form {key!r} before its completion hook")
        if fn not in binding.on_complete:
            binding.on_complete.append(fn)
        return fn
    return decorate


def prepare_form(key: str):
    def decorate(fn):
        _forms[key].prepare = fn
        return fn
    return decorate


def has_form(key: str) -> bool:
    return key in _forms


def form_binding(key: str) -> FormBinding:
    return _forms[key]


def form_keys() -> list[str]:
    return sorted(_forms)


def case_access(process_key: str):
    """Function decorator: ``fn(case, user) -> bool`` says whether a non-staff user may
    see a case of this process (beyond the tasks offered to them)."""
    def decorate(fn):
        _case_access[process_key] = fn
        return fn
    return decorate


def case_access_policy(process_key: str):
    return _case_access.get(process_key)


def case_summary(process_key: str):
    """Function decorator: ``fn(case, user) -> list[(label, value)]`` for the case page."""
    def decorate(fn):
        _case_summaries[process_key] = fn
        return fn
    return decorate


def case_summary_for(process_key: str):
    return _case_summaries.get(process_key)


def on_task_created(key: str):
    """Function decorator: ``fn(case, task_row)`` runs when a task with this formKey
    becomes ready (after a completion, a timer or a start), in that transaction
    (``events.task_created`` for this key; hooks of one key run in registration order)."""
    def decorate(fn):
        hooks = _task_created.setdefault(key, [])
        if fn not in hooks:
            hooks.append(fn)
        return fn
    return decorate


def _run_task_created(form_key, *, case, task, **_):
    for hook in list(_task_created.get(form_key, [])):
        hook(case, task)


def status_labels(process_key: str):
    """Function decorator: ``fn(status) -> str`` words a domain status for people."""
    def decorate(fn):
        _status_labels[process_key] = fn
        return fn
    return decorate


def status_label(process_key: str, status: str) -> str:
    fn = _status_labels.get(process_key)
    return fn(status) if fn else status


_case_starters: dict[str, Callable] = {}
_event_labels: dict[str, object] = {}


def event_labels(mapping: dict) -> None:
    """Words for audit-event kinds (lazy translations), shown on the case timeline."""
    _event_labels.update(mapping)


def event_label(kind: str) -> str:
    return str(_event_labels.get(kind, kind))


def case_starter(process_key: str):
    """Function decorator: ``fn(formdata, user) -> Case`` starts a case of this process
    from a submission (validating it with the domain's own form); used by the API."""
    def decorate(fn):
        _case_starters[process_key] = fn
        return fn
    return decorate


def case_starter_for(process_key: str):
    return _case_starters.get(process_key)


_case_receipts: dict[str, Callable] = {}


def case_receipt(process_key: str):
    """Function decorator: ``fn(case) -> dict`` tells a filer how to follow a case they
    may not open themselves (e.g. a private tracking link for a member of the public)."""
    def decorate(fn):
        _case_receipts[process_key] = fn
        return fn
    return decorate


def case_receipt_for(process_key: str):
    return _case_receipts.get(process_key)


_case_completed: dict[str, list[Callable]] = {}


def on_case_completed(process_key: str):
    """Function decorator: ``fn(case, end_event_id)`` runs in the transaction in which a case
    of this process reaches its end (after a completion, a timer or a message)
    (``events.case_completed`` for this key; hooks of one key run in registration order)."""
    def decorate(fn):
        hooks = _case_completed.setdefault(process_key, [])
        if fn not in hooks:
            hooks.append(fn)
        return fn
    return decorate


def _run_case_completed(process_key, *, case, end_event_id, **_):
    for hook in list(_case_completed.get(process_key, [])):
        hook(case, end_event_id)


events.subscribe(events.task_created, _run_task_created)
events.subscribe(events.case_completed, _run_case_completed)


# --- roles -----------------------------------------------------------------------------------

_roles: dict[str, object] = {}
_organisation_roles: set[str] = set()


def register_roles(roles: dict, organisation_roles) -> None:
    """The roles BPMN lanes may name (name -> label), and those whose users belong to one
    organisation (their tasks are offered to that organisation only)."""
    _roles.clear()
    _roles.update(roles)
    _organisation_roles.clear()
    _organisation_roles.update(organisation_roles)


def role_names() -> list[str]:
    return list(_roles)


def is_organisation_role(role: str | None) -> bool:
    return role in _organisation_roles
