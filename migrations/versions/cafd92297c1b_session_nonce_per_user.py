"""session nonce per user: logout and password change end sessions server-side

Revision ID: cafd92297c1b
Revises: 167af69f7f49
Create Date: 2026-11-25 10:00:00

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cafd92297c1b'
down_revision = '167af69f7f49'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_nonce', sa.String(length=64), nullable=True))
    # Every existing user gets a nonce; sessions started before (cookies without one) end.
    conn = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('session_nonce', sa.String))
    for (user_id,) in conn.execute(sa.select(users.c.id)).all():
        conn.execute(users.update().where(users.c.id == user_id)
                     .values(session_nonce=secrets.token_urlsafe(24)))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('session_nonce')
