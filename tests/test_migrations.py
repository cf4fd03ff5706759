"""Every schema change has a migration: upgrading an empty database gives exactly the models' schema."""
import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="checked on the SQLite run")
def test_migrations_match_models_and_downgrade(tmp_path):
    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite'}")
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"render_as_batch": True}), db.metadata)
        assert diff == [], diff
        downgrade(revision="base")
        with db.engine.connect() as conn:
            assert db.inspect(conn).get_table_names() == ["alembic_version"]
