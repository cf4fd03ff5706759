"""Engine: messages delivered to a waiting case, timers behind an event-based gateway,
and case-completed hooks with the end event reached."""
from pathlib import Path

import pytest

from app.engine import clock, definitions, registry, runtime
from app.engine.models import Case
from app.extensions import db
from tests.conftest import at

pytestmark = pytest.mark.lifecycle

PROBE = (Path(__file__).parent / "event_gateway_probe.bpmn").read_text(encoding="utf-8")


@pytest.fixture
def ended(app):
    reached = []
    registry.on_case_completed("engine_gateway_probe")(lambda case, end: reached.append(end))
    yield reached
    registry._case_completed.pop("engine_gateway_probe", None)


def start_probe(deadline):
    definitions.deploy(PROBE, source="probe.bpmn")
    db.session.commit()
    return runtime.start_case("engine_gateway_probe", data={"deadline": deadline.isoformat()}, title="probe")


def test_timer_behind_an_event_based_gateway_is_swept_and_reports_its_end(ended):
    clock.travel_to(at("2026-10-01T09:00"))
    case = start_probe(at("2026-10-08T00:00"))
    assert clock.as_aware(case.next_timer_at) == at("2026-10-08T00:00")  # seen although inside the gateway
    assert runtime.sweep_timers(at("2026-10-07T23:59")) == 0
    assert runtime.sweep_timers(at("2026-10-08T00:01")) == 1
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "completed" and ended == ["end_timer"]


def test_message_reaches_a_waiting_case_once(ended):
    clock.travel_to(at("2026-10-01T09:00"))
    case = start_probe(at("2026-10-08T00:00"))
    assert not runtime.send_message(case, "no-such-message")
    assert runtime.send_message(case, "ping", {"hello": 1})
    db.session.commit()
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "completed" and ended == ["end_msg"] and case.next_timer_at is None
    assert not runtime.send_message(case, "ping")  # a completed case waits for nothing
    assert runtime.load_workflow(case).last_task is not None
