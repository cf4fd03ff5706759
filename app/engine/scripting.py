"""The restricted script engine for BPMN expressions and scripts.

Diagrams come from administrators and are still untrusted code: gateway conditions,
timer expressions and script tasks are compiled with RestrictedPython (no imports,
no dunder access, no file or network access) and see only task data plus the safe
helpers below.
"""
from __future__ import annotations

import ast
import datetime as _dt
import operator
import re
from contextvars import ContextVar
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from time import perf_counter

from RestrictedPython import compile_restricted_eval, compile_restricted_exec, safe_builtins
from RestrictedPython.transformer import RestrictingNodeTransformer
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

# --- limits: time, steps and memory of one evaluation -----------------------------------------
#
# Every evaluation (a gateway condition, a timer or candidate expression, a script task) runs
# under a Budget. The compiled code is rewritten (after RestrictedPython's own checks) so that
# every loop iteration, comprehension item, function or lambda entry, except and finally block
# calls _tick_(); every 1,024 ticks the budget compares the step count with SCRIPT_STEP_LIMIT and
# the wall clock with SCRIPT_TIME_LIMIT. Operations that can build a large value in one C call
# (`*`, `**`, `<<`, `+`, `%`, f-strings, str()/repr(), the iterable-consuming builtins and the
# str/bytes/list/dict/set methods) are replaced by guards that estimate the size of the result
# *before* building it and refuse once the evaluation would have built more than
# SCRIPT_MEMORY_LIMIT bytes in total. C-level consumers (sum(), sorted(), list(), "in", star
# unpacking, list.extend(), ...) iterate lazy inputs (range, generators, map ...) through a
# ticking iterator. A tripped budget stays tripped: every later tick (also in an except or
# finally block) raises again, and the evaluation raises at its end if the script swallowed it.

class ScriptLimitExceeded(ScriptError):
    """An evaluation ran out of time, steps or memory (or nested too deeply)."""

    def __init__(self, reason: str, limit=None):
        self.reason = reason  # time | steps | memory | number | depth
        self.limit = limit
        super().__init__(self._english())

    def _english(self) -> str:
        return {
            "time": f"the script ran longer than {self.limit} s and was stopped",
            "steps": f"the script took more than {self.limit} steps and was stopped",
            "memory": f"the script would build more than {self.limit} bytes and was stopped",
            "number": f"the script would compute a number of more than {self.limit} bits and was stopped",
            "depth": "the script nested calls too deeply and was stopped",
        }.get(self.reason, f"the script exceeded a limit ({self.reason})")

    def user_message(self):
        from flask_babel import lazy_gettext as _l
        if self.reason == "time":
            return _l("the script ran longer than %(seconds)s s and was stopped", seconds=self.limit)
        if self.reason == "steps":
            return _l("the script took more than %(steps)s steps and was stopped", steps=self.limit)
        if self.reason == "memory":
            return _l("the script would need more than %(mb)s MB of memory and was stopped",
                      mb=round(self.limit / 2 ** 20, 1))
        if self.reason == "number":
            return _l("the script would compute a number of more than %(bits)s bits and was stopped",
                      bits=self.limit)
        return _l("the script nested calls too deeply and was stopped")


@dataclass
class Limits:
    time: float = 2.0          # seconds of wall-clock time per evaluation
    steps: int = 5_000_000     # loop iterations, comprehension items and calls per evaluation
    memory: int = 64 * 2 ** 20  # estimated bytes of large values built per evaluation
    int_bits: int = 65_536     # the largest integer an evaluation may compute


LIMITS = Limits()
_QUANTUM = 1024  # ticks between two looks at the clock


def configure(config) -> None:
    """Take the limits from the app config (SCRIPT_TIME_LIMIT, SCRIPT_STEP_LIMIT,
    SCRIPT_MEMORY_LIMIT); module-wide, so the hot path reads no config."""
    LIMITS.time = float(config.get("SCRIPT_TIME_LIMIT", LIMITS.time))
    LIMITS.steps = int(config.get("SCRIPT_STEP_LIMIT", LIMITS.steps))
    LIMITS.memory = int(config.get("SCRIPT_MEMORY_LIMIT", LIMITS.memory))


class Budget:
    __slots__ = ("left", "used", "allocated", "deadline", "tripped", "limits")

    def __init__(self, limits: Limits = LIMITS):
        self.limits = limits
        self.left = _QUANTUM
        self.used = 0
        self.allocated = 0
        self.tripped = None
        self.deadline = perf_counter() + limits.time
        action = _ACTION_DEADLINE.get()
        if action is not None and action < self.deadline:
            self.deadline = action

    def trip(self, reason, limit):
        self.tripped = (reason, limit)
        self.left = 0
        raise ScriptLimitExceeded(reason, limit)

    def check(self):
        if self.tripped is not None:
            self.left = 0
            raise ScriptLimitExceeded(*self.tripped)
        self.used += _QUANTUM - self.left
        self.left = _QUANTUM
        if self.used > self.limits.steps:
            self.trip("steps", self.limits.steps)
        if perf_counter() > self.deadline:
            self.trip("time", self.limits.time)

    def alloc(self, nbytes):
        """Account for a value of about ``nbytes`` about to be built; refuse it beyond the limit."""
        if self.tripped is not None:
            self.check()
        self.allocated += nbytes
        if self.allocated > self.limits.memory:
            self.trip("memory", self.limits.memory)
        self.left -= nbytes >> 12  # big values also bring the next look at the clock closer
        if self.left <= 0:
            self.check()

    def bits(self, nbits):
        if nbits > self.limits.int_bits:
            self.trip("number", self.limits.int_bits)
        self.alloc(nbits >> 3)


# The budget of the running evaluation and the end of the current action's time, per thread
# (context variables: cheaper to read than a threading.local on every tick).
_BUDGET: ContextVar = ContextVar("jianping_script_budget", default=None)
_ACTION_DEADLINE: ContextVar = ContextVar("jianping_script_action_deadline", default=None)
_budget_now = _BUDGET.get


@contextmanager
def action_scope():
    """One user action (one transaction): all its evaluations together get SCRIPT_TIME_LIMIT,
    so a chain of slow scripts cannot hold the transaction (and SQLite's write lock) for
    the limit times the number of scripts."""
    if _ACTION_DEADLINE.get() is not None:
        yield
        return
    token = _ACTION_DEADLINE.set(perf_counter() + LIMITS.time)
    try:
        yield
    finally:
        _ACTION_DEADLINE.reset(token)


def _budget() -> Budget:
    budget = _budget_now()
    if budget is None:  # restricted code running outside an evaluation (e.g. a stored generator)
        raise ScriptLimitExceeded("steps", 0)
    return budget


def _tick_():
    budget = _budget_now() or _budget()
    budget.left -= 1
    if budget.left <= 0:
        budget.check()
    return True


class _Ticking:
    """An iterator that ticks per item: C-level consumers of lazy inputs stay bounded."""
    __slots__ = ("_it",)

    def __init__(self, iterable):
        self._it = iter(iterable)

    def __iter__(self):
        return self

    def __next__(self):
        budget = _budget_now() or _budget()
        budget.left -= 1
        if budget.left <= 0:
            budget.check()
        return next(self._it)

    def __contains__(self, item):
        for x in self:
            if x is item or x == item:
                return True
        return False


_NoneType = type(None)
_SCALARS = frozenset({str, int, float, bool, _NoneType, bytes, complex, _dt.date, _dt.datetime, _dt.timedelta})
_CONTAINERS = frozenset({list, tuple, dict, set, frozenset, str, bytes,
                         type({}.keys()), type({}.values()), type({}.items())})


def _size(x) -> int:
    """A rough byte estimate of a value already built or about to be copied (shallow)."""
    t = type(x)
    if t is str:
        return len(x) if x.isascii() else 4 * len(x)
    if t is bytes:
        return len(x)
    if t is int:
        return x.bit_length() >> 3
    if t in _CONTAINERS or t is range:
        return 8 * len(x)
    return 0


def _text_size(x) -> int:
    """An estimate of len(str(x)) / len(repr(x)), walking containers (ticking per element)."""
    t = type(x)
    if t is str:
        return len(x) + 2
    if t is int:
        return (x.bit_length() * 31) // 100 + 2
    if t not in _CONTAINERS and t is not range:
        return 64
    budget = _budget()
    limit = budget.limits.memory
    total, stack = 0, [x]
    while stack:
        item = stack.pop()
        t = type(item)
        budget.left -= 1
        if budget.left <= 0:
            budget.check()
        if t is str:
            total += len(item) + 4
        elif t is bytes:
            total += 4 * len(item) + 4
        elif t is int:
            total += (item.bit_length() * 31) // 100 + 3
        elif t is dict:
            total += 2
            stack.extend(item.keys())
            stack.extend(item.values())
        elif t in _CONTAINERS:
            total += 2
            stack.extend(item)
        elif t is range:
            total += 32
        else:
            total += 64
        if total > limit:
            budget.trip("memory", limit)
    return total


def _lazy(x):
    """A C-level consumer's input: concrete values pass, lazy ones tick per item."""
    t = type(x)
    if t in _CONTAINERS or t in _SCALARS:
        return x
    return _Ticking(x)


def _seq_result(seq, n) -> int:
    unit = _size(seq) // len(seq) if len(seq) else 0
    return len(seq) * n * max(unit, 1)


def _mul_(a, b):
    ta, tb = type(a), type(b)
    if ta is float or tb is float:
        return a * b
    if (ta is int or ta is bool) and (tb is int or tb is bool):
        if a and b:
            _budget().bits(a.bit_length() + b.bit_length())
        return a * b
    if tb is int and ta in (str, bytes, list, tuple):
        if b > 0:
            _budget().alloc(_seq_result(a, b))
    elif ta is int and tb in (str, bytes, list, tuple):
        if a > 0:
            _budget().alloc(_seq_result(b, a))
    return a * b


def _pow_(a, b, mod=None):
    if mod is None and type(a) in (int, bool) and type(b) in (int, bool) and b > 0 and a not in (0, 1, -1):
        _budget().bits(a.bit_length() * b)
    elif mod is not None and type(b) is int and b > 0:
        _tick_()
    return pow(a, b) if mod is None else pow(a, b, mod)


def _lshift_(a, b):
    if type(a) in (int, bool) and type(b) in (int, bool) and a and b > 0:
        _budget().bits(a.bit_length() + b)
    return a << b


def _add_(a, b):
    ta = type(a)
    if ta is int or ta is float:
        return a + b
    if ta in (str, bytes, list, tuple) and type(b) is ta:
        n = _size(a) + _size(b)
        if n > 4096:
            _budget().alloc(n)
    return a + b


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _mod_(a, b):
    if type(a) is str or type(a) is bytes:
        fmt = a if type(a) is str else a.decode("latin-1")
        total, fields = len(fmt), 0
        for m in _PERCENT_SPEC.finditer(fmt):
            fields += 1
            for part in m.groups():
                if part == "*":
                    ints = [v for v in (b if type(b) is tuple else (b,)) if type(v) is int]
                    total += max((abs(v) for v in ints), default=0)
                elif part:
                    total += int(part)
        if fields:
            args = b if type(b) is tuple else (b,)
            if type(b) is dict:
                args = tuple(b.values())
            total += fields * max((_text_size(v) for v in args), default=0)
            if total > 4096:
                _budget().alloc(total)
    return a % b


_DIGITS = re.compile(r"\d+")


def _format_width(spec: str) -> int:
    return sum(int(d) for d in _DIGITS.findall(spec)) if spec else 0


def _fmt_(value, conversion, spec):
    """One f-string field: f"{value!c:spec}" with the width and the text bounded."""
    n = _format_width(spec) + _text_size(value)
    if n > 4096:
        _budget().alloc(n)
    if conversion == 115:
        value = str(value)
    elif conversion == 114:
        value = repr(value)
    elif conversion == 97:
        value = ascii(value)
    return format(value, spec or "")


def _str(*args, **kw):
    if args and type(args[0]) not in _SCALARS:
        n = _text_size(args[0])
        if n > 4096:
            _budget().alloc(n)
    return str(*args, **kw)


def _repr(x):
    if type(x) not in _SCALARS or type(x) in (str, bytes):
        n = _text_size(x)
        if n > 4096:
            _budget().alloc(4 * n)
    return repr(x)


def _bytes(*args, **kw):
    if args:
        x = args[0]
        if type(x) is int:
            _budget().alloc(max(x, 0))
        elif type(x) is str:
            _budget().alloc(4 * len(x))
        else:
            args = (_lazy(x),) + args[1:]
    return bytes(*args, **kw)


def _round(x, ndigits=None):
    if ndigits is not None and type(ndigits) is int and abs(ndigits) > 400:
        _budget().trip("number", LIMITS.int_bits)
    return round(x) if ndigits is None else round(x, ndigits)


def _consumer(fn, copies: bool):
    """A builtin that consumes its first argument: a sized input is priced up front (if the
    builtin copies it), a lazy one is iterated through a ticking iterator."""
    def guarded(*args, **kw):
        if args:
            x = args[0]
            t = type(x)
            if t is range:
                if copies:
                    _budget().alloc(8 * len(x))
                else:
                    args = (_Ticking(x),) + args[1:]
            elif t in _CONTAINERS:
                if copies and len(x) > 512:
                    _budget().alloc(8 * len(x))
                    if fn is sorted:
                        _budget().left -= len(x) >> 4
            elif t not in _SCALARS:
                args = (_Ticking(x),) + args[1:]
        result = fn(*args, **kw)
        if copies and type(args[0] if args else None) is _Ticking:
            _budget().alloc(_size(result))
        return result
    guarded.__name__ = fn.__name__
    return guarded


def _in_(container):
    """The right-hand side of `x in y`: lazy inputs tick while they are searched."""
    t = type(container)
    if t in _CONTAINERS:
        return container
    if t is range:
        return _RangeIn(container)
    return _Ticking(container)


class _RangeIn:
    __slots__ = ("_r",)

    def __init__(self, r):
        self._r = r

    def __contains__(self, item):
        if type(item) is int or type(item) is bool:
            return item in self._r
        return _Ticking(self._r).__contains__(item)


def _starred_(x):
    """`*x` in a list, tuple, set or call: the unpacking is priced or ticks."""
    t = type(x)
    if t is range:
        _budget().alloc(8 * len(x))
        return x
    if t in _CONTAINERS:
        return x
    return _Ticking(x)


def _getiter_(x):
    t = type(x)
    if t in _CONTAINERS:
        return iter(x)
    return _Ticking(x)


def _getitem_(ob, index):
    if type(index) is slice and type(ob) in (str, bytes, list, tuple):
        n = len(range(*index.indices(len(ob))))
        if n > 4096:
            _budget().alloc(n * (8 if type(ob) in (list, tuple) else 1))
    return ob[index]


# methods of built-in values: a per-name price before the call; lazy arguments tick
def _width_price(obj, args, kw):
    width = args[0] if args else kw.get("width", 0)
    return max(width, 0) * (1 if type(obj) is bytes or obj.isascii() else 4) if type(width) is int else 0


def _replace_price(obj, args, kw):
    if len(args) < 2:
        return 0
    old, new = args[0], args[1]
    count = args[2] if len(args) > 2 else -1
    hits = (len(obj) + 1) if not old else obj.count(old)
    if type(count) is int and count >= 0:
        hits = min(hits, count)
    return len(obj) + hits * max(len(new) - len(old), 0)


def _expandtabs_price(obj, args, kw):
    size = args[0] if args else kw.get("tabsize", 8)
    return len(obj) + obj.count("\t" if type(obj) is str else b"\t") * max(size, 0) if type(size) is int else 0


def _translate_price(obj, args, kw):
    table = args[0] if args else None
    if type(table) is dict:
        longest = max((len(v) for v in table.values() if type(v) in (str, bytes)), default=1)
        return len(obj) * max(longest, 1)
    return len(obj)


def _to_bytes_price(obj, args, kw):
    length = args[0] if args else kw.get("length", 1)
    return length if type(length) is int else 0


_PRICES = {
    "ljust": _width_price, "rjust": _width_price, "center": _width_price, "zfill": _width_price,
    "replace": _replace_price, "expandtabs": _expandtabs_price, "translate": _translate_price,
    "encode": lambda obj, a, k: 4 * len(obj), "hex": lambda obj, a, k: 3 * _size(obj),
    "to_bytes": _to_bytes_price,
    "extend": lambda obj, a, k: 8 * len(a[0]) if a and type(a[0]) in _CONTAINERS or a and type(a[0]) is range else 0,
}
_METHOD_OWNERS = (str, bytes, list, dict, set, frozenset, tuple, int)


def _join(sep, args):
    items = args[0] if args else ()
    if type(items) not in (list, tuple):
        items = list(_lazy(items))
    _budget().alloc(sum(len(x) for x in items if type(x) in (str, bytes)) + len(sep) * len(items))
    return items


def _guard_method(obj, name, method):
    price = _PRICES.get(name)

    def guarded(*args, **kw):
        budget = _budget()
        if name == "join":
            args = (_join(obj, args),)
        elif price is not None:
            n = price(obj, args, kw)
            if n > 4096:
                budget.alloc(n)
        if name == "sort":
            budget.left -= len(obj) >> 4
        args = tuple(_lazy(a) for a in args)
        result = method(*args, **kw)
        if type(result) in _CONTAINERS and result is not obj:
            n = _size(result)
            if name in _SPLITTERS:
                n *= 7  # a new small string per item
            if n > 4096:
                budget.alloc(n)
        return result
    return guarded


def _getattr_(obj, name, default=None):
    value = safer_getattr(obj, name, default)
    t = type(value)
    if t is _BuiltinMethod and (type(obj) in _METHOD_OWNERS or obj in _METHOD_OWNERS):
        return _guard_method(obj, name, value)
    if t is _MethodDescriptor and obj in _METHOD_OWNERS:  # str.ljust("x", n): the same guards, unbound
        def unbound(*args, **kw):
            if args and isinstance(args[0], obj):
                return _guard_method(args[0], name, getattr(args[0], name))(*args[1:], **kw)
            return value(*args, **kw)
        return unbound
    return value


_BuiltinMethod = type([].append)
_MethodDescriptor = type(str.join)
_SPLITTERS = frozenset({"split", "rsplit", "splitlines"})


def _iadd_(a, b):
    ta = type(a)
    if ta is int or ta is float:
        return a + b
    if ta in (str, bytes, list, tuple) and type(b) in (str, bytes, list, tuple):
        n = _size(a) + _size(b)
        if n > 4096:
            _budget().alloc(n)
    elif ta is list:
        b = _lazy(b)  # list += iterable extends in C
    return operator.iadd(a, b)


def _imul_(a, b):
    ta, tb = type(a), type(b)
    if ta is list and tb is int and b > 0:
        _budget().alloc(_seq_result(a, b))
        return operator.imul(a, b)
    return _mul_(a, b)


def _inplacevar(op, x, y):
    if op == "+=":
        return _iadd_(x, y)
    if op == "*=":
        return _imul_(x, y)
    ops = {"-=": operator.isub, "/=": operator.itruediv,
           "//=": operator.ifloordiv, "%=": operator.imod, "|=": operator.ior, "&=": operator.iand}
    if op not in ops:
        raise ScriptError(f"operator {op} is not allowed")
    if op == "%=":
        return _mod_(x, y)
    return ops[op](x, y)


# --- the rewriting of the compiled code -------------------------------------------------------

def _name(id_):
    return ast.Name(id=id_, ctx=ast.Load())


def _call(func, *args):
    return ast.Call(func=_name(func), args=list(args), keywords=[])


def _tick_stmt():
    return ast.Expr(value=_call("_tick_"))


_BINOPS = {ast.Mult: "_mul_", ast.Pow: "_pow_", ast.LShift: "_lshift_", ast.Add: "_add_", ast.Mod: "_mod_"}


def _is_number(node):
    return isinstance(node, ast.Constant) and type(node.value) in (int, float) and abs(node.value) < 2 ** 32


def _is_literal_container(node):
    return isinstance(node, (ast.Tuple, ast.List, ast.Set)) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


class _Guards(ast.NodeTransformer):
    """Injects the budget checks into code RestrictedPython has already accepted."""

    def visit_While(self, node):
        self.generic_visit(node)
        node.body.insert(0, _tick_stmt())
        return node

    def visit_For(self, node):
        self.generic_visit(node)
        node.body.insert(0, _tick_stmt())
        it = node.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "_getiter_":
            it.func.id = "_iter_"  # the body ticks; a plain iterator is faster
        return node

    def visit_comprehension(self, node):
        self.generic_visit(node)
        it = node.iter
        if isinstance(it, ast.Call) and isinstance(it.func, ast.Name) and it.func.id == "_getiter_":
            it.func.id = "_iter_"
        node.ifs.insert(0, _call("_tick_"))
        return node

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        node.body.insert(0, _tick_stmt())
        return node

    def visit_Lambda(self, node):
        self.generic_visit(node)
        node.body = ast.BoolOp(op=ast.And(), values=[_call("_tick_"), node.body])
        return node

    def visit_ExceptHandler(self, node):
        self.generic_visit(node)
        node.body.insert(0, _tick_stmt())
        return node

    def visit_Try(self, node):
        self.generic_visit(node)
        if node.finalbody:
            node.finalbody.insert(0, _tick_stmt())
        return node

    def visit_BinOp(self, node):
        self.generic_visit(node)
        guard = _BINOPS.get(type(node.op))
        if guard is None:
            return node
        if isinstance(node.op, ast.Add) and (_is_number(node.left) or _is_number(node.right)):
            return node  # number + number: no blow-up
        if isinstance(node.op, ast.Mod) and _is_number(node.left):
            return node
        return ast.copy_location(_call(guard, node.left, node.right), node)

    _INPLACE = {"+=": "_iadd_", "*=": "_imul_"}

    def visit_Call(self, node):
        """RestrictedPython's `n = _inplacevar_("+=", n, x)` becomes `n = _iadd_(n, x)`: one
        call less on the most common augmented assignments."""
        self.generic_visit(node)
        if (isinstance(node.func, ast.Name) and node.func.id == "_inplacevar_" and len(node.args) == 3
                and isinstance(node.args[0], ast.Constant)):
            op, left, right = node.args[0].value, node.args[1], node.args[2]
            if op in self._INPLACE:
                return ast.copy_location(_call(self._INPLACE[op], left, right), node)
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        for i, (op, right) in enumerate(zip(node.ops, node.comparators)):
            if isinstance(op, (ast.In, ast.NotIn)) and not _is_literal_container(right):
                node.comparators[i] = _call("_in_", right)
        return node

    def visit_Starred(self, node):
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _call("_starred_", node.value)
        return node

    def visit_FormattedValue(self, node):
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant(value="")
        node.value = _call("_fmt_", node.value, ast.Constant(value=node.conversion), spec)
        node.conversion = -1
        node.format_spec = None
        return node


def _compile(source: str, filename: str, mode: str):
    try:
        tree = ast.parse(source, filename, mode)
    except SyntaxError as exc:
        raise ScriptError(f"Line {exc.lineno}: {type(exc).__name__}: {exc.msg}") from exc
    errors, warnings, used_names = [], [], {}
    RestrictingNodeTransformer(errors, warnings, used_names).visit(tree)
    if errors:
        raise ScriptError("; ".join(errors))
    tree = ast.fix_missing_locations(_Guards().visit(tree))
    return compile(tree, filename, mode)


class _Policy(RestrictingNodeTransformer):
    """RestrictedPython's checks, then the budget guards on the accepted tree."""

    _top = True

    def visit(self, node):
        if not self._top:
            return super().visit(node)
        self._top = False
        node = super().visit(node)
        if not self.errors:
            _Guards().visit(node)
            ast.fix_missing_locations(node)
        return node


# --- the environment ----------------------------------------------------------------------

class _GuardedType:
    """A guarded constructor that still works with isinstance() and attribute access."""
    __slots__ = ("type", "_call")

    def __init__(self, t, call):
        self.type = t
        self._call = call

    def __call__(self, *args, **kw):
        return self._call(*args, **kw)

    def __instancecheck__(self, obj):
        return isinstance(obj, self.type)

    def __subclasscheck__(self, cls):
        return issubclass(cls, self.type)

    def __getattr__(self, name):
        return getattr(self.type, name)


def _no_sequence_sum(*args, **kw):
    start = args[1] if len(args) > 1 else kw.get("start", 0)
    if type(start) not in (int, float, bool):
        raise ScriptError("sum() adds numbers only")
    return _summing(*args, **kw)


_summing = _consumer(sum, copies=False)
_builtin = __builtins__.__getitem__ if isinstance(__builtins__, dict) else (lambda n: getattr(__builtins__, n))
_SAFE_BUILTINS = dict(safe_builtins)
for _n in ("min", "max", "sum", "any", "all", "sorted", "enumerate", "list", "dict", "set",
           "reversed", "map", "filter"):
    _SAFE_BUILTINS[_n] = _builtin(_n)
_SAFE_BUILTINS.update({
    "str": _GuardedType(str, _str), "bytes": _GuardedType(bytes, _bytes),
    "list": _GuardedType(list, _consumer(list, copies=True)),
    "set": _GuardedType(set, _consumer(set, copies=True)),
    "dict": _GuardedType(dict, _consumer(dict, copies=True)),
    "sorted": _consumer(sorted, copies=True),
    "sum": _no_sequence_sum, "min": _consumer(min, copies=False), "max": _consumer(max, copies=False),
    "any": _consumer(any, copies=False), "all": _consumer(all, copies=False),
    "repr": _repr, "round": _round, "pow": _pow_,
})
_SAFE_BUILTINS.pop("_getattr_", None)


def _resolve_getattr(obj, name, default=None):
    if type(obj) is _GuardedType:
        obj = obj.type
    return _getattr_(obj, name)


_BASE_GLOBALS = {
    "__builtins__": _SAFE_BUILTINS,
    "_getattr_": _resolve_getattr,
    "_getitem_": _getitem_,
    "_getiter_": _getiter_,
    "_iter_": iter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
    "_tick_": _tick_, "_iadd_": _iadd_, "_imul_": _imul_, "_mul_": _mul_, "_pow_": _pow_, "_lshift_": _lshift_, "_add_": _add_,
    "_mod_": _mod_, "_fmt_": _fmt_, "_in_": _in_, "_starred_": _starred_,
}


_BASE_GLOBALS.update(HELPERS)


def restricted_globals() -> dict:
    return _BASE_GLOBALS.copy()


@lru_cache(maxsize=2048)
def compile_expression(source: str):
    result = compile_restricted_eval(source.strip(), "<bpmn expression>", policy=_Policy)
    if result.errors:
        raise ScriptError("; ".join(result.errors))
    return result.code


_CALLS = frozenset({"CALL", "PRECALL", "CALL_FUNCTION", "CALL_FUNCTION_KW", "CALL_FUNCTION_EX", "CALL_METHOD"})


def _needs_budget(code) -> bool:
    """Can this code run long or build much? Not if it calls nothing and nests no code: after
    the rewriting every loop, guard, builtin and method is a call (e.g. `decision == "accept"`
    or `x in ("a", "b") and score >= 60`, the common gateway conditions, are not)."""
    import dis
    if any(isinstance(c, type(code)) for c in code.co_consts):
        return True
    return any(i.opname in _CALLS for i in dis.get_instructions(code))


@lru_cache(maxsize=2048)
def _expression(source: str):
    code = compile_expression(source)
    return code, _needs_budget(code)


@lru_cache(maxsize=512)
def compile_script(source: str):
    result = compile_restricted_exec(source, "<bpmn script>", policy=_Policy)
    if result.errors:
        raise ScriptError("; ".join(result.errors))
    return result.code


def run_limited(code, env, limits: Limits | None = None):
    """eval/exec ``code`` in ``env`` under a fresh budget; ScriptLimitExceeded when it runs out."""
    budget = Budget(limits or LIMITS)
    token = _BUDGET.set(budget)
    try:
        result = eval(code, env)
    except ScriptLimitExceeded:
        raise
    except RecursionError as exc:
        raise ScriptLimitExceeded("depth") from exc
    except MemoryError as exc:
        raise ScriptLimitExceeded("memory", budget.limits.memory) from exc
    except BaseException as exc:
        if budget.tripped is not None:
            raise ScriptLimitExceeded(*budget.tripped) from exc
        raise
    finally:
        _BUDGET.reset(token)
    if budget.tripped is not None:  # the script caught the limit error and carried on
        raise ScriptLimitExceeded(*budget.tripped)
    return result


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
        code, limited = _expression(expression)
        return run_limited(code, env) if limited else eval(code, env)

    def execute(self, script, context, external_context=None):
        env = restricted_globals()
        reserved = set(env)
        env.update(external_context or {})
        reserved |= set(external_context or {})
        clash = reserved.intersection(context)
        if clash:
            raise ScriptError(f"task data overwrites helper names: {sorted(clash)}")
        env.update(context)
        run_limited(compile_script(script), env)
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
