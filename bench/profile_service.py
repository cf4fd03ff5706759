"""Where a service-layer task completion (runtime.complete_task) spends its time.

Run:  .venv/bin/python bench/profile_service.py [cases]      (default 100 cases x 3 completions)

1. the SQL statements of one completion per step;
2. a wall-clock breakdown without a profiler: functions of the engine are wrapped and
   every microsecond goes to the innermost wrapped region (SQL in the driver, ORM flush,
   commit, deserialize, serialize, engine steps, task-row sync, audit, notifications, ...);
3. what-if experiments, A/B interleaved per case in this process: the median completion
   with one cost removed or changed, by monkeypatching here (app/ is not modified);
4. cProfile, top functions by cumulative and own time, and own time grouped by package.
"""
from __future__ import annotations

import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import run as bench  # noqa: E402  (bench/run.py)


# --- exclusive wall-clock attribution ---------------------------------------------------------

class Attribution:
    def __init__(self):
        self.stack: list[str] = []
        self.totals: dict[str, float] = defaultdict(float)
        self.mark = 0.0
        self.active = False

    def push(self, label):
        if not self.active:
            return
        now = time.perf_counter()
        if self.stack:
            self.totals[self.stack[-1]] += now - self.mark
        self.stack.append(label)
        self.mark = now

    def pop(self):
        if not self.active:
            return
        now = time.perf_counter()
        self.totals[self.stack.pop()] += now - self.mark
        self.mark = now


A = Attribution()
_undo: list = []


def wrap(obj, name, label):
    orig = getattr(obj, name)

    def wrapper(*args, **kw):
        A.push(label)
        try:
            return orig(*args, **kw)
        finally:
            A.pop()
    wrapper.__wrapped__ = orig
    setattr(obj, name, wrapper)
    _undo.append((obj, name, orig))


def unwrap_all():
    from app.engine import registry
    from sqlalchemy import event
    while _undo:
        obj, name, orig = _undo.pop()
        if obj is None:
            engine, before, after = name
            event.remove(engine, "before_cursor_execute", before)
            event.remove(engine, "after_cursor_execute", after)
        else:
            setattr(obj, name, orig)
    for binding in registry._forms.values():
        binding.on_complete[:] = [getattr(h, "__wrapped__", h) for h in binding.on_complete]
    for hooks in registry._task_created.values():
        hooks[:] = [getattr(h, "__wrapped__", h) for h in hooks]


def instrument(db):
    import wtforms.form
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    from SpiffWorkflow.task import Task
    import app.complaints.services as complaints
    import app.notifications.services as notifications
    from app.engine import registry, runtime, serializer

    wrap(runtime, "get_task", "get_task + permission checks")
    wrap(runtime, "is_candidate", "get_task + permission checks")
    wrap(runtime, "build_form", "form build + validate")
    wrap(wtforms.form.Form, "validate", "form build + validate")
    wrap(runtime, "load_workflow", "load: case.definition + spec_for")
    wrap(serializer, "loads", "deserialize (spec-less state)")
    wrap(serializer, "dumps", "serialize (spec-less state)")
    wrap(runtime, "_run", "engine: task.run + do_engine_steps")
    wrap(Task, "run", "engine: task.run + do_engine_steps")
    wrap(runtime, "persist", "persist: task-row sync (own)")
    wrap(runtime, "_materialize", "materialize new task row (own)")
    wrap(runtime, "next_timer_at", "next_timer_at")
    wrap(runtime, "record", "audit record()")
    wrap(complaints, "record", "audit record()")
    wrap(notifications, "notify_task_offered", "notifications")
    wrap(complaints, "notify", "notifications")
    wrap(complaints, "organisation_members", "notifications")
    for binding in registry._forms.values():
        binding.on_complete[:] = [_wrapped(h, "domain hooks (complaint row)") for h in binding.on_complete]
    for key, hooks in registry._task_created.items():
        hooks[:] = [_wrapped(h, "domain hooks (complaint row)") for h in hooks]
    wrap(Session, "flush", "ORM flush (unit of work)")
    wrap(Session, "commit", "commit (incl. final flush)")
    before = lambda *a: A.push("SQL in the sqlite3 driver")  # noqa: E731
    after = lambda *a: A.pop()  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    _undo.append((None, (db.engine, before, after), None))


def _wrapped(fn, label):
    def wrapper(*args, **kw):
        A.push(label)
        try:
            return fn(*args, **kw)
        finally:
            A.pop()
    wrapper.__wrapped__ = fn
    return wrapper


def timed_completion(ctx, case_id, step, attribution=False):
    from app.engine import runtime
    from app.extensions import db
    db.session.remove()
    task_id = bench.open_task_id(case_id, step[0])
    user = ctx.user(step[1])
    if attribution:
        A.active = True
        A.push("complete_task (rest: ORM attribute loads, glue)")
    t0 = time.perf_counter()
    runtime.complete_task(task_id, user, payload=step[2])
    elapsed = time.perf_counter() - t0
    if attribution:
        A.pop()
        A.active = False
    return elapsed


# --- cProfile grouping -----------------------------------------------------------------------------

AREAS = [  # (label, substring of the file path); first match wins
    ("SpiffWorkflow serializer", "SpiffWorkflow/bpmn/serializer"),
    ("SpiffWorkflow serializer", "SpiffWorkflow/spiff/serializer"),
    ("SpiffWorkflow engine", "SpiffWorkflow"),
    ("RestrictedPython", "RestrictedPython"),
    ("SQLAlchemy ORM", "sqlalchemy/orm"),
    ("SQLAlchemy core/sql", "sqlalchemy"),
    ("WTForms/Flask-WTF", "wtforms"),
    ("WTForms/Flask-WTF", "flask_wtf"),
    ("calendar", "chinese_calendar"),
    ("calendar", "holidays"),
    ("app.engine", "app/engine"),
    ("app.complaints", "app/complaints"),
    ("app.notifications", "app/notifications"),
    ("json", "json/"),
    ("uuid", "uuid.py"),
]


def area_of(filename: str) -> str:
    for label, part in AREAS:
        if part in filename:
            return label
    return "builtins (incl. sqlite3 C calls)" if filename.startswith(("~", "<")) else "other"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    tmp = Path(tempfile.mkdtemp(prefix="jianping-profile-"))
    app, _ = bench.make_app(tmp)
    from sqlalchemy import event
    from app.extensions import db

    with app.app_context():
        ctx = bench.Ctx()
        # 1. SQL of one completion per step (after warm-up)
        statements = []
        listener = lambda conn, cur, stmt, params, c, many: statements.append(" ".join(stmt.split()))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        for i in range(10):
            case_id = bench.file_case(ctx)
            for step in bench.STEPS:
                db.session.remove()
                task_id = bench.open_task_id(case_id, step[0])
                user = ctx.user(step[1])
                statements.clear()
                from app.engine import runtime
                runtime.complete_task(task_id, user, payload=step[2])
                if i == 9:
                    print(f"# {step[0]}: {len(statements)} SQL statements")
                    for s in statements:
                        print(f"#     {s[:130]}")
        event.remove(db.engine, "before_cursor_execute", listener)

        # 2. wall-clock breakdown
        instrument(db)
        total = []
        for _ in range(n):
            case_id = bench.file_case(ctx)
            for step in bench.STEPS:
                total.append(timed_completion(ctx, case_id, step, attribution=True))
        unwrap_all()
        count = len(total)
        print(f"\n# wall-clock breakdown, {count} completions, mean {sum(total) / count * 1e6:.0f} us "
              f"(median {statistics.median(total) * 1e6:.0f} us; instrumentation adds a little)")
        grand = sum(A.totals.values())
        for label, t in sorted(A.totals.items(), key=lambda kv: -kv[1]):
            print(f"#   {label:<50} {t / count * 1e6:6.0f} us  {t / grand * 100:5.1f} %")

    # 3. cProfile (instrumentation removed)
    with app.app_context():
        cases = [bench.file_case(ctx) for _ in range(n)]
        prof = cProfile.Profile()
        for case_id in cases:
            for step in bench.STEPS:
                db.session.remove()
                task_id = bench.open_task_id(case_id, step[0])
                user = ctx.user(step[1])
                prof.enable()
                runtime.complete_task(task_id, user, payload=step[2])
                prof.disable()
    stats = pstats.Stats(prof)
    by_area = defaultdict(float)
    for (filename, _line, _fn), (_cc, _nc, tt, _ct, _callers) in stats.stats.items():
        by_area[area_of(filename)] += tt
    all_tt = sum(by_area.values())
    print("\n# cProfile own time by package (profiler overhead inflates many small calls):")
    for label, tt in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"#   {label:<32} {tt / all_tt * 100:5.1f} %")
    for key in ("cumulative", "tottime"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(30)
        print(f"\n# --- cProfile top 30 by {key} ---")
        print(buf.getvalue())
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
