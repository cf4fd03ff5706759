"""Benchmarks of the case engine against a floor measured in the same run.

Run:  .venv/bin/python bench/run.py
Prints ``name: value`` lines (one per metric) and ``#`` comment lines; exit 0.
Every number is a median unless its name says p50/p95; ratios compare numbers
measured in this run on this machine. See bench/README.md.
"""
from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

logging.disable(logging.WARNING)

# --- sizes (keep the whole run well under two minutes on two cores) -------------------------
N_CASES = int(os.environ.get("BENCH_CASES", 200))         # floor and service cases (3 completions each)
N_WARMUP = 10                                             # warm-up cases per path, not measured
N_HTTP = int(os.environ.get("BENCH_HTTP_CASES", 200))     # cases completed over HTTP (<= N_CASES)
N_WAITING = int(os.environ.get("BENCH_WAITING", 2000))    # cases left waiting at the agency response
N_TRIAGE = 100                                            # cases left waiting at triage (handler inbox)
DUE_BATCHES, DUE_PER_BATCH = 6, 10                        # timer sweeps with 10 due cases each (1st: warm-up)
INBOX_REPEAT, SWEEP_REPEAT = 30, 30

STEPS = [  # (task spec name, user, submitted data)
    ("triage", "handler", {"triage_decision": "accept", "triage_reason": ""}),
    ("agency_response", "agency", {"response_text": "These consultants left in 2025; the page is now corrected."}),
    ("mediation", "handler", {"mediation_outcome": "resolved", "mediation_summary": "机构已更正公开信息并致歉"}),
]
AGENCY_NAME = "华信两化咨询有限公司"

out: list[str] = []


def metric(name: str, value: float, digits: int = 1) -> None:
    out.append(f"{name}: {value:.{digits}f}")
    print(out[-1], flush=True)


def note(text: str) -> None:
    print(f"# {text}", flush=True)


def median(xs):
    return statistics.median(xs)


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


# --- the app ---------------------------------------------------------------------------------

def make_app(tmp: Path):
    from app import create_app
    from app.extensions import db
    from app.engine import definitions
    from app.demo import load_demo

    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'service.sqlite'}",
                     WTF_CSRF_ENABLED=False, UPLOAD_DIR=str(tmp / "uploads"))
    with app.app_context():
        db.create_all()
        definitions.deploy_directory(ROOT / "bpmn")
        db.session.commit()
        passwords = {u: p for u, p, _r in load_demo()}
    return app, passwords


def complaint_form(agency_id: int):
    """What ComplaintForm hands file_complaint (a validated public filing, no files)."""
    f = lambda v: SimpleNamespace(data=v)  # noqa: E731
    return SimpleNamespace(agency_id=f(agency_id), kind=f("complaint"), category=f("false_disclosure"),
                           facts=f("The agency lists consultants who never worked for it."), evidence=f([]),
                           complainant_name=f("王先生"), complainant_contact=f("13800000000"))


class Ctx:
    """Ids looked up once inside the app context."""

    def __init__(self):
        from app.auth.models import Organisation, User
        from app.extensions import db
        self.users = {u.username: u.id for u in db.session.scalars(db.select(User))}
        self.agency_id = db.session.scalar(db.select(Organisation.id).where(Organisation.name == AGENCY_NAME))

    def user(self, name):
        from app.auth.models import User
        from app.extensions import db
        return db.session.get(User, self.users[name])


def file_case(ctx) -> int:
    from app.complaints.services import file_complaint
    return file_complaint(complaint_form(ctx.agency_id)).case_id


def open_task_id(case_id: int, spec_name: str) -> int:
    from app.engine.models import WorkTask
    from app.extensions import db
    return db.session.scalar(db.select(WorkTask.id).where(WorkTask.case_id == case_id, WorkTask.spec_name == spec_name,
                                                          WorkTask.status == "open"))


def service_complete(ctx, case_id: int, step) -> float:
    """One completion through runtime.complete_task, as a request would run it: fresh
    session, user loaded (as flask-login does) before the clock starts."""
    from app.engine import runtime
    from app.extensions import db
    spec_name, username, data = step
    db.session.remove()
    task_id = open_task_id(case_id, spec_name)
    user = ctx.user(username)
    t0 = time.perf_counter()
    runtime.complete_task(task_id, user, payload=data)
    return time.perf_counter() - t0


# --- the floor: SpiffWorkflow alone, standard serializer, raw sqlite3 ----------------------

class Floor:
    def __init__(self, path: Path, specless: bool = False):
        from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
        from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
        from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
        from app.engine.scripting import SCRIPT_ENGINE

        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(ROOT / "bpmn" / "complaint.bpmn"))
        self.spec = parser.get_spec("complaint")
        self.subprocess_specs = parser.get_subprocess_specs("complaint")
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = SCRIPT_ENGINE
        self.specless = specless
        self.db = sqlite3.connect(str(path))
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS workflow_state (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
        self.db.commit()

    def dumps(self, wf) -> str:
        if self.specless:
            from app.engine import serializer
            return serializer.dumps(wf)
        return self.serializer.serialize_json(wf)

    def loads(self, state: str):
        if self.specless:
            from app.engine import serializer
            return serializer.loads(state, self.spec, self.subprocess_specs)
        wf = self.serializer.deserialize_json(state)
        wf.script_engine = self.script_engine  # not serialized
        return wf

    def start(self, data: dict) -> int:
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState
        wf = BpmnWorkflow(self.spec, self.subprocess_specs, script_engine=self.script_engine)
        cur = self.db.execute("INSERT INTO workflow_state (state) VALUES ('{}')")
        row_id = cur.lastrowid
        for task in wf.get_tasks(state=TaskState.READY):
            task.data.update(data, case_id=row_id)
        wf.do_engine_steps()
        self.db.execute("UPDATE workflow_state SET state = ? WHERE id = ?", (self.dumps(wf), row_id))
        self.db.commit()
        return row_id

    def complete(self, row_id: int, step) -> float:
        from SpiffWorkflow.util.task import TaskState
        spec_name, _user, data = step
        t0 = time.perf_counter()
        (state,) = self.db.execute("SELECT state FROM workflow_state WHERE id = ?", (row_id,)).fetchone()
        wf = self.loads(state)
        [task] = [t for t in wf.get_tasks(state=TaskState.READY, manual=True) if t.task_spec.name == spec_name]
        task.data.update(data)
        task.run()
        wf.do_engine_steps()
        self.db.execute("UPDATE workflow_state SET state = ? WHERE id = ?", (self.dumps(wf), row_id))
        self.db.commit()
        elapsed = time.perf_counter() - t0
        if spec_name == "mediation":
            assert wf.is_completed(), "floor: the happy path did not end"
        return elapsed


def login_clients(app, passwords) -> dict:
    clients = {}
    for name in ("handler", "agency"):
        c = app.test_client()
        r = c.post("/login", data={"username": name, "password": passwords[name]})
        assert r.status_code == 302, f"login {name}: {r.status_code}"
        clients[name] = c
    return clients


def http_complete(app, client, case_id: int, step) -> float:
    """POST /tasks/<id> through the Flask test client. No app context is pushed around the
    request, so it gets its own context and session like a real server."""
    from app.extensions import db
    spec_name, _username, data = step
    with app.app_context():
        task_id = open_task_id(case_id, spec_name)
        db.session.remove()
    t0 = time.perf_counter()
    r = client.post(f"/tasks/{task_id}", data=data)
    elapsed = time.perf_counter() - t0
    assert r.status_code == 302, f"POST /tasks/{task_id}: {r.status_code} {r.get_data(as_text=True)[:300]}"
    # a browser follows the redirect and that page shows (pops) the flash message; without
    # this the flashes pile up in the session cookie and every request gets slower
    with client.session_transaction() as session:
        session.pop("_flashes", None)
    return elapsed


def completions(app, ctx, clients, tmp):
    """Floor, spec-less floor, service and HTTP interleaved case by case and step by step,
    so all four see the same machine conditions (the ratios are what counts)."""
    from app.extensions import db
    with app.app_context():
        floor = Floor(tmp / "floor.sqlite")
        floor_sl = Floor(tmp / "floor_specless.sqlite", specless=True)
    start_data = {"agency_id": ctx.agency_id, "response_days": 10, "category": "false_disclosure",
                  "kind": "complaint"}
    paths = ("floor", "floor_specless", "service", "http")
    samples = {k: [] for k in paths}
    per_step = {k: {s[0]: [] for s in STEPS} for k in paths}
    starts = {"floor": [], "service": []}
    for i in range(N_WARMUP + N_CASES):
        measured = i >= N_WARMUP
        with_http = i < N_WARMUP + N_HTTP
        with app.app_context():
            t0 = time.perf_counter()
            fid = floor.start(start_data)
            t1 = time.perf_counter()
            sid = floor_sl.start(start_data)
            t2 = time.perf_counter()
            case_id = file_case(ctx)
            t3 = time.perf_counter()
            http_case_id = file_case(ctx) if with_http else None
            db.session.remove()
        if measured:
            starts["floor"].append(t1 - t0)
            starts["service"].append(t3 - t2)
        for step in STEPS:
            with app.app_context():  # the floor's due_after reads the app config and calendar too
                times = {"floor": floor.complete(fid, step), "floor_specless": floor_sl.complete(sid, step),
                         "service": service_complete(ctx, case_id, step)}
                db.session.remove()
            if with_http:
                times["http"] = http_complete(app, clients[step[1]], http_case_id, step)
            if measured:
                for k, v in times.items():
                    samples[k].append(v)
                    per_step[k][step[0]].append(v)
    with app.app_context():
        from app.engine.models import Case
        done = db.session.scalar(db.select(db.func.count(Case.id)).where(Case.status == "completed"))
        assert done >= N_CASES + N_HTTP, f"only {done} cases completed"
        db.session.remove()
    floor.db.close()
    floor_sl.db.close()
    return samples, per_step, starts


# --- many open tasks: inbox and timer sweep ----------------------------------------------------

def fill_waiting(app, ctx, n: int, at: datetime | None = None) -> list[int]:
    """n cases filed and accepted at triage (now waiting at the agency response with a timer)."""
    from app.engine import clock
    from app.extensions import db
    clock.travel_to(at)
    try:
        handler = ctx.user("handler")
        ids = []
        for _ in range(n):
            case_id = file_case(ctx)
            from app.engine import runtime
            runtime.complete_task(open_task_id(case_id, "triage"), handler, payload=STEPS[0][2])
            ids.append(case_id)
            if len(ids) % 200 == 0:
                db.session.remove()
                handler = ctx.user("handler")
        return ids
    finally:
        clock.travel_to(None)
        db.session.remove()


def time_inbox(ctx, username: str) -> tuple[list[float], int]:
    from app.engine.inbox import InboxFilter, inbox
    from app.extensions import db
    xs, total = [], 0
    for i in range(INBOX_REPEAT + 3):
        db.session.remove()
        user = ctx.user(username)
        t0 = time.perf_counter()
        page = inbox(user, InboxFilter())
        elapsed = time.perf_counter() - t0
        total = page.total
        if i >= 3:
            xs.append(elapsed)
    return xs, total


def time_http_get(client, url: str) -> list[float]:
    xs = []
    for i in range(INBOX_REPEAT + 3):
        t0 = time.perf_counter()
        r = client.get(url)
        elapsed = time.perf_counter() - t0
        assert r.status_code == 200, f"GET {url}: {r.status_code}"
        if i >= 3:
            xs.append(elapsed)
    return xs


def time_idle_sweep(at: datetime, repeat: int = SWEEP_REPEAT) -> list[float]:
    from app.engine import runtime
    from app.extensions import db
    xs = []
    for i in range(repeat + 3):
        db.session.remove()
        t0 = time.perf_counter()
        n = runtime.sweep_timers(at=at)
        elapsed = time.perf_counter() - t0
        assert n == 0, f"idle sweep advanced {n} cases"
        if i >= 3:
            xs.append(elapsed)
    return xs


# --- guarded evaluation: the cost of the script limits ----------------------------------------

GUARD_CASES = {  # name: (mode, source, data)
    "expression": ("eval", 'arbitration_result in ("upheld", "partly_upheld") and score >= 60',
                   {"arbitration_result": "upheld", "score": 75}),
    "script_loop": ("exec", "total = 0\nfor i in range(200):\n    total += i * 2\nlabel = str(total) + ' points'",
                    {}),
}


def guarded_vs_plain(repeat: int = 2000) -> dict:
    """The app's evaluation (RestrictedPython + budget guards, SCRIPT_ENGINE's environment)
    against the same source compiled by RestrictedPython alone and run with eval/exec over
    the same globals (no budget): paired per call, interleaved."""
    from RestrictedPython import compile_restricted_eval, compile_restricted_exec
    from app.engine import scripting
    import builtins
    import operator
    from RestrictedPython import safe_builtins
    from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
    from RestrictedPython.Guards import (full_write_guard, guarded_iter_unpack_sequence, guarded_unpack_sequence,
                                         safer_getattr)
    plain_builtins = dict(safe_builtins)
    for n in ("min", "max", "sum", "any", "all", "sorted", "enumerate", "list", "dict", "set", "reversed", "map",
              "filter"):
        plain_builtins[n] = getattr(builtins, n)
    ops = {"+=": operator.iadd, "-=": operator.isub, "*=": operator.imul}
    plain_globals = {  # the environment before the limits: RestrictedPython's default guards
        "__builtins__": plain_builtins, "_getattr_": safer_getattr, "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter, "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence, "_write_": full_write_guard,
        "_inplacevar_": lambda op, x, y: ops[op](x, y), **scripting.HELPERS}
    env = scripting.RestrictedEnvironment()
    out = {}
    for name, (mode, source, data) in GUARD_CASES.items():
        compile_plain = compile_restricted_eval if mode == "eval" else compile_restricted_exec
        plain_code = compile_plain(source, "<plain>").code
        run = env.evaluate if mode == "eval" else env.execute
        ratios, guarded_t, plain_t = [], [], []
        for i in range(repeat + 100):
            t0 = time.perf_counter()
            g = plain_globals.copy()
            g.update(data)
            eval(plain_code, g)
            t1 = time.perf_counter()
            run(source, dict(data))
            t2 = time.perf_counter()
            if i >= 100:
                plain_t.append(t1 - t0)
                guarded_t.append(t2 - t1)
                ratios.append((t2 - t1) / (t1 - t0))
        out[name] = (median(guarded_t), median(plain_t), median(ratios))
    return out


# --- main --------------------------------------------------------------------------------------

def attribute_diagram(n: int) -> str:
    """A diagram whose one task carries ``n`` extra attributes (~11 bytes each)."""
    attrs = " ".join(f'a{i}="v"' for i in range(n))
    return ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
            'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p" '
            f'isExecutable="true"><bpmn:task id="t" {attrs}/></bpmn:process></bpmn:definitions>')


def designer_signatures() -> None:
    """6: the designer's element signatures (rules.elements, used by diff and validation) for
    1k, 10k and 100k attributes; linear work gives a 10x ratio per 10x attributes."""
    from app.designer import rules
    from app.engine.definitions import parse_xml
    times = {}
    gc.disable()  # a collection inside one sample would dominate it
    try:
        for n in (1_000, 10_000, 100_000):
            root = parse_xml(attribute_diagram(n), max_bytes=10**8, max_attributes=10**7)
            xs = []
            for _ in range(7 if n < 100_000 else 3):
                t0 = time.perf_counter()
                rules.elements(root)
                xs.append(time.perf_counter() - t0)
            times[n] = min(xs)  # the least disturbed run: other processes share the cores
    finally:
        gc.enable()
    note("designer signatures (ms): " + ", ".join(f"{n} attributes {t * 1e3:.2f}" for n, t in times.items()))
    metric("designer_signature_100k_attributes_ms", times[100_000] * 1e3, 1)
    metric("designer_signature_10x_ratio", times[10_000] / times[1_000], 1)
    metric("designer_signature_10x_ratio_100k", times[100_000] / times[10_000], 1)


def main() -> int:
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="jianping-bench-"))
    try:
        app, passwords = make_app(tmp)
        from app.engine import runtime
        from app.engine.models import Case
        from app.extensions import db
        note(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, sqlite {sqlite3.sqlite_version} (WAL, "
             f"synchronous=NORMAL)")
        with app.app_context():
            ctx = Ctx()
            idle_empty = median(time_idle_sweep(datetime.now(timezone.utc)))
        clients = login_clients(app, passwords)

        # 0: the script limits' own cost
        with app.app_context():
            guards = guarded_vs_plain()
        for name, (guarded, plain, ratio) in guards.items():
            note(f"{name}: guarded {guarded * 1e6:.2f} us, plain RestrictedPython {plain * 1e6:.2f} us "
                 f"({GUARD_CASES[name][1]!r})")
        metric("guarded_expression_us", guards["expression"][0] * 1e6, 2)
        metric("guarded_expression_vs_plain_ratio", guards["expression"][2], 2)
        metric("guarded_script_loop_vs_plain_ratio", guards["script_loop"][2], 2)

        # 1-3: floor, service and HTTP, interleaved
        gc.collect()
        samples, per_step, starts = completions(app, ctx, clients, tmp)
        med = {k: median(v) * 1e6 for k, v in samples.items()}
        note(f"{N_CASES} cases x {len(STEPS)} completions (HTTP: {N_HTTP} cases), after {N_WARMUP} warm-up "
             f"cases; floor = SpiffWorkflow + standard serializer (spec in every state) + sqlite3")
        for name in samples:
            note(f"{name} median per step (us): " + ", ".join(
                f"{k} {median(v) * 1e6:.0f}" for k, v in per_step[name].items()))
        note(f"case start (us): floor {median(starts['floor']) * 1e6:.0f}, "
             f"service file_complaint {median(starts['service']) * 1e6:.0f}")
        # ratios: median over completions of (this path / reference path) for the same step of the
        # same case index, measured milliseconds apart; robust against load that drifts during the run
        def paired(a, b):
            return median([x / y for x, y in zip(samples[a], samples[b])])
        note("ratio of medians (for comparison): service/floor %.2f, service/specless floor %.2f, http/service %.2f"
             % (med["service"] / med["floor"], med["service"] / med["floor_specless"], med["http"] / med["service"]))
        metric("floor_task_completion_us", med["floor"], 0)
        metric("floor_specless_task_completion_us", med["floor_specless"], 0)
        metric("service_task_completion_us", med["service"], 0)
        metric("service_vs_floor_ratio", paired("service", "floor"), 2)
        metric("service_vs_specless_floor_ratio", paired("service", "floor_specless"), 2)
        metric("http_task_completion_p50_ms", med["http"] / 1e3, 2)
        metric("http_task_completion_p95_ms", pct(samples["http"], 95) * 1e3, 2)
        metric("http_vs_service_ratio", paired("http", "service"), 2)

        # 4: many open tasks
        gc.collect()
        with app.app_context():
            t0 = time.perf_counter()
            waiting = fill_waiting(app, ctx, N_WAITING)
            for _ in range(N_TRIAGE):
                file_case(ctx)
            db.session.remove()
            note(f"filled {N_WAITING} cases waiting at the agency response (each with a timer) and {N_TRIAGE} "
                 f"at triage in {time.perf_counter() - t0:.1f} s")
            gc.collect()
            for username in ("handler", "agency"):
                xs, total = time_inbox(ctx, username)
                note(f"inbox {username}: {total} open tasks visible, first page of 20 + count")
                metric(f"inbox_query_{username}_ms", median(xs) * 1e3, 2)
        for username in ("handler", "agency"):
            metric(f"http_inbox_{username}_p50_ms", median(time_http_get(clients[username], "/inbox")) * 1e3, 2)

        with app.app_context():
            # batches of 10 cases accepted in the past; a sweep at a batch's due time fires that batch.
            # Idle sweeps (nothing due) are timed at a moment before every due time, between them.
            due_times = []
            for k in range(DUE_BATCHES):
                moment = datetime(2025, 2 + 2 * k, 3, 2, 0, tzinfo=timezone.utc)
                ids = fill_waiting(app, ctx, DUE_PER_BATCH, at=moment)
                due = db.session.scalar(db.select(db.func.max(Case.next_timer_at)).where(Case.id.in_(ids)))
                due_times.append(due.replace(tzinfo=timezone.utc) + timedelta(minutes=1))
            idle_at = datetime(2025, 2, 4, tzinfo=timezone.utc)
            n_timers = db.session.scalar(db.select(db.func.count(Case.id)).where(Case.next_timer_at.is_not(None)))
            gc.collect()
            sweeps, idle = [], []
            for due in due_times:
                idle += time_idle_sweep(idle_at, repeat=SWEEP_REPEAT // DUE_BATCHES)
                db.session.remove()
                t0 = time.perf_counter()
                n = runtime.sweep_timers(at=due)
                sweeps.append(time.perf_counter() - t0)
                assert n == DUE_PER_BATCH, f"sweep advanced {n} cases, expected {DUE_PER_BATCH}"
            note(f"timer sweep: {n_timers} cases waiting on timers; idle sweep with no waiting cases at all "
                 f"{idle_empty * 1e3:.3f} ms")
            note(f"{DUE_BATCHES} sweeps with {DUE_PER_BATCH} due cases each, the first a warm-up (ms): "
                 + ", ".join(f"{s * 1e3:.1f}" for s in sweeps))
            metric("timer_sweep_idle_ms", median(idle) * 1e3, 3)
            metric("timer_sweep_idle_vs_empty_ratio", median(idle) / idle_empty, 1)
            metric("timer_sweep_10_due_ms", median(sweeps[1:]) * 1e3, 2)
            metric("timer_sweep_10_due_vs_idle_ratio", median(sweeps[1:]) / median(idle), 1)

            # 5: state size at the agency response
            from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
            from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
            case = db.session.get(Case, waiting[0])
            specless = len(case.state.encode("utf-8"))
            standard = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
            with_spec = len(standard.serialize_json(runtime.load_workflow(case)).encode("utf-8"))
            metric("state_bytes_specless", specless, 0)
            metric("state_bytes_with_spec", with_spec, 0)
            metric("state_with_spec_vs_specless_ratio", with_spec / specless, 2)
            db.session.remove()

        # 6: designer input is linear
        gc.collect()
        designer_signatures()
        note(f"total {time.perf_counter() - started:.1f} s")
        return 0
    finally:
        if os.environ.get("BENCH_KEEP"):
            note(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
