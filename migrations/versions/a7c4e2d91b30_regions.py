"""administrative regions; organisations in a region

Revision ID: a7c4e2d91b30
Revises: 5d2f8a1c9e47
Create Date: 2026-12-02 19:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c4e2d91b30'
down_revision = '5d2f8a1c9e47'
branch_labels = None
depends_on = None

# The divisions shipped on the day of this migration (app/regions/data.py may grow later;
# `flask regions load` adds what is new).
DIVISIONS = (
    ("330000", "浙江省", "Zhejiang Province", None, "province"),
    ("330300", "温州市", "Wenzhou", "330000", "city"),
    ("330302", "鹿城区", "Lucheng District", "330300", "county"),
    ("330303", "龙湾区", "Longwan District", "330300", "county"),
    ("330304", "瓯海区", "Ouhai District", "330300", "county"),
    ("330305", "洞头区", "Dongtou District", "330300", "county"),
    ("330324", "永嘉县", "Yongjia County", "330300", "county"),
    ("330326", "平阳县", "Pingyang County", "330300", "county"),
    ("330327", "苍南县", "Cangnan County", "330300", "county"),
    ("330328", "文成县", "Wencheng County", "330300", "county"),
    ("330329", "泰顺县", "Taishun County", "330300", "county"),
    ("330381", "瑞安市", "Rui'an", "330300", "county"),
    ("330382", "乐清市", "Yueqing", "330300", "county"),
    ("330383", "龙港市", "Longgang", "330300", "county"),
)


def upgrade():
    region = op.create_table(
        'region',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('name_en', sa.String(length=100), nullable=True),
        sa.Column('parent_id', sa.Integer(), nullable=True),
        sa.Column('level', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['parent_id'], ['region.id'], name=op.f('fk_region_parent_id_region')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_region')),
        sa.UniqueConstraint('code', name=op.f('uq_region_code')),
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_parent_id'), ['parent_id'], unique=False)
    ids = {code: i for i, (code, *_rest) in enumerate(DIVISIONS, start=1)}
    op.bulk_insert(region, [{"id": ids[code], "code": code, "name": name, "name_en": name_en,
                             "parent_id": ids[parent] if parent else None, "level": level}
                            for code, name, name_en, parent, level in DIVISIONS])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('region', 'id'), (SELECT max(id) FROM region))")
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_organisation_region_id'), ['region_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_organisation_region_id_region'), 'region', ['region_id'], ['id'])


def downgrade():
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_region_id_region'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_organisation_region_id'))
        batch_op.drop_column('region_id')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_parent_id'))
    op.drop_table('region')
