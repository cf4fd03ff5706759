"""The restricted script engine for BPMN expressions and scripts.

Diagrams come from administrators and are still untrusted code: gateway conditions,
timer expressions and script tasks are compiled with RestrictedPython (no imports,
no dunder access, no file or network access) and see only task data plus the safe
helpers below.
"""
from __future__ import annotations

import datetime as _dt
import operator
from functools import lru_cache

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence, safer_getattr
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from . import clock
from .deadlines import due_after, current_calendar, business_tz
from .calendar import local_date


class ScriptError(ValueError):
    pass


# --- safe helpers -------------------------------------------------------------------------

def _now_iso() -> str:
    return clock.now().isoformat()


def _today_iso() -> str:
    return local_date(clock.now(), business_tz()).isoformat()


def _due_after(duration: str, start: str | None = None) -> str:
    """ISO deadline, e.g. due_after("10 working days") or due_after("3 days", start)."""
    begin = _dt.datetime.fromisoformat(start) if start else None
    return due_after(duration, begin).isoformat()


def _add_working_days(start: str, n: int) -> str:
    """The n-th working day after the date ``start`` (ISO date) as an ISO date."""
    return current_calendar().add_working_days(_dt.date.fromisoformat(start[:10]), int(n)).isoformat()


def _is_working_day(day: str) -> bool:
    return current_calendar().is_working_day(_dt.date.fromisoformat(day[:10]))


HELPERS = {
    "now": _now_iso,
    "today": _today_iso,
    "due_after": _due_after,
    "add_working_days": _add_working_days,
    "is_working_day": _is_working_day,
}

_SAFE_BUILTINS = dict(safe_builtins)
for _name in ("min", "max", "sum", "any", "all", "sorted", "enumerate", "list", "dict", "set",
              "reversed", "map", "filter"):
    _SAFE_BUILTINS[_name] = __builtins__[_name] if isinstance(__builtins__, dict) else getattr(__builtins__, _name)


def _inplacevar(op, x, y):
    ops = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul, "/=": operator.itruediv,
           "//=": operator.ifloordiv, "%=": operator.imod, "|=": operator.ior, "&=": operator.iand}
    if op not in ops:
        raise ScriptError(f"operator {op} is not allowed")
    return ops[op](x, y)


def restricted_globals() -> dict:
    return {
        "__builtins__": _SAFE_BUILTINS,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        **HELPERS,
    }


@lru_cache(maxsize=2048)
def compile_expression(source: str):
    result = compile_restricted_eval(source.strip(), "<bpmn expression>")
    if result.errors:
        raise ScriptError("; ".join(result.errors))
    return result.code


@lru_cache(maxsize=512)
def compile_script(source: str):
    result = compile_restricted_exec(source, "<bpmn script>")
    if result.errors:
        raise ScriptError("; ".join(result.errors))
    return result.code


def check_expression(source: str) -> str | None:
    """None when the expression compiles under the restrictions, else the error."""
    try:
        compile_expression(source)
        return None
    except (ScriptError, SyntaxError) as exc:
        return str(exc)


def check_script(source: str) -> str | None:
    try:
        compile_script(source)
        return None
    except (ScriptError, SyntaxError) as exc:
        return str(exc)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts over task data, restricted."""

    def evaluate(self, expression, context, external_context=None):
        env = restricted_globals()
        env.update(external_context or {})
        env.update(context)
        return eval(compile_expression(expression), env)

    def execute(self, script, context, external_context=None):
        env = restricted_globals()
        reserved = set(env)
        env.update(external_context or {})
        reserved |= set(external_context or {})
        clash = reserved.intersection(context)
        if clash:
            raise ScriptError(f"task data overwrites helper names: {sorted(clash)}")
        env.update(context)
        exec(compile_script(script), env)
        for key, value in env.items():
            if key in reserved or key.startswith("_") or callable(value) or key == "__builtins__":
                continue
            context[key] = value
        for key in [k for k in context if k not in env]:
            context.pop(key)
        return True

    def call_service(self, context, **kwargs):
        raise ScriptError("service tasks are not available to diagrams")


def make_script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment())


SCRIPT_ENGINE = make_script_engine()
