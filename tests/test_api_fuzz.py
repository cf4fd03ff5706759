"""Schemathesis over every operation of /api/v1/openapi.json, with a token of each role and
anonymously: whatever it sends, the API answers without a server error (no 5xx).

Bounded so the whole module stays well under three minutes on two busy cores: few
examples per operation (each sent once per role), no deadline, one database for the
module (what one example changes, e.g. a started case, stays for the next)."""
from __future__ import annotations

import contextvars

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from app.api.openapi import document
from app.extensions import db
from tests.conftest import PASSWORDS, build_app

ROLES = ("admin", "handler", "expert", "agency", "enterprise", "certifier")
MAX_EXAMPLES = 8


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    from app.auth.models import User
    from app.auth.services import issue_token

    app = build_app(tmp_path_factory.mktemp("fuzz"))
    tokens = {"anonymous": None}
    with app.app_context():
        for role in ROLES:
            user = db.session.scalars(db.select(User).where(User.role == role, User.active.is_(True))
                                      .order_by(User.id)).first()
            assert user is not None and user.username in PASSWORDS, role
            tokens[role], _row = issue_token(user)
        db.session.commit()
        db.session.remove()
    app.fuzz_tokens = tokens
    return app


# The document as served (tests/test_api.py checks that the served one is this one).
schema = schemathesis.openapi.from_dict(document(server_url="http://localhost/api/v1"))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_no_server_error_for_any_role(case, fuzz_app):
    for role, token in fuzz_app.fuzz_tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # Each request in an empty context, as a real server would run it (own app context and session).
        contextvars.Context().run(case.call_and_validate, app=fuzz_app, headers=headers,
                                  checks=[not_a_server_error])
