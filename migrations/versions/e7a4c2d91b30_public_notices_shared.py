"""public notices and objections shared (app/notices); rating's notices and objections moved

Revision ID: e7a4c2d91b30
Revises: a7c4e2d91b30
Create Date: 2026-12-02 20:00:00

Each rating application with a notice gets a public_notice row (open while the application
is in_notice/objection_review, else closed); each rating objection moves to notice_objection
on its application's notice (objections of an earlier, withdrawn round get a withdrawn notice).
"""
from alembic import op
import sqlalchemy as sa


revision = 'e7a4c2d91b30'
down_revision = 'a7c4e2d91b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('public_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_type', sa.String(length=60), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('working_days', sa.Integer(), nullable=False),
    sa.Column('count_publication_day', sa.Boolean(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case_instance.id'], name=op.f('fk_public_notice_case_id_case_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_notice'))
    )
    with op.batch_alter_table('public_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_notice_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_notice_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_public_notice_subject_type'), ['subject_type'], unique=False)

    op.create_table('notice_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notice_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_notice_objection_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['notice_id'], ['public_notice.id'], name=op.f('fk_notice_objection_notice_id_public_notice')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_objection'))
    )
    with op.batch_alter_table('notice_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_objection_notice_id'), ['notice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_objection_status'), ['status'], unique=False)

    conn = op.get_bind()
    apps = conn.execute(sa.text(
        "SELECT a.id, a.case_id, a.status, a.notice_start, a.notice_ends, a.created_at, c.name, "
        "c.notice_working_days, c.count_publication_day, o.name FROM rating_application a "
        "JOIN rating_cycle c ON c.id = a.cycle_id JOIN organisation o ON o.id = a.organisation_id")).fetchall()
    insert_notice = sa.text(
        "INSERT INTO public_notice (subject_type, subject_id, case_id, title, working_days, count_publication_day, "
        "starts_at, ends_at, status, closed_at, created_at) VALUES ('rating_application', :sid, :case_id, :title, "
        ":days, :count, :starts, :ends, :status, NULL, :starts)")
    for (aid, case_id, status, start, ends, created, cycle, days, count, agency) in apps:
        objections = conn.execute(sa.text(
            "SELECT id, name, contact, text, status, decision, created_at, decided_at FROM rating_objection "
            "WHERE application_id = :a ORDER BY id"), {"a": aid}).fetchall()
        current = None
        withdrawn = None
        if ends is not None:
            conn.execute(insert_notice, dict(sid=aid, case_id=case_id, title=f"{cycle} {agency}", days=days,
                                             count=bool(count), starts=start or created, ends=ends,
                                             status="open" if status in ("in_notice", "objection_review") else "closed"))
            current = conn.execute(sa.text("SELECT max(id) FROM public_notice")).scalar()
        for (oid, name, contact, text, ostatus, decision, ocreated, odecided) in objections:
            notice_id = current
            if ostatus == "upheld" or notice_id is None:  # an earlier round's notice, withdrawn when upheld
                if withdrawn is None:
                    conn.execute(insert_notice, dict(sid=aid, case_id=case_id, title=f"{cycle} {agency}", days=days,
                                                     count=bool(count), starts=ocreated, ends=odecided or ocreated,
                                                     status="withdrawn"))
                    withdrawn = conn.execute(sa.text("SELECT max(id) FROM public_notice")).scalar()
                notice_id = withdrawn
            conn.execute(sa.text(
                "INSERT INTO notice_objection (id, notice_id, name, contact, text, evidence, status, decision, "
                "created_at, decided_at) VALUES (:id, :n, :name, :contact, :text, NULL, :status, :decision, :c, :d)"),
                dict(id=oid, n=notice_id, name=name, contact=contact, text=text, status=ostatus, decision=decision,
                     c=ocreated, d=odecided))

    with op.batch_alter_table('rating_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_objection_status'))
        batch_op.drop_index(batch_op.f('ix_rating_objection_application_id'))
    op.drop_table('rating_objection')
    with op.batch_alter_table('rating_application', schema=None) as batch_op:
        batch_op.drop_column('notice_ends')
        batch_op.drop_column('notice_start')


def downgrade():
    with op.batch_alter_table('rating_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice_start', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('notice_ends', sa.DateTime(), nullable=True))
    op.create_table('rating_objection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['rating_application.id'], name=op.f('fk_rating_objection_application_id_rating_application')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_objection'))
    )
    with op.batch_alter_table('rating_objection', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_objection_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_objection_status'), ['status'], unique=False)
    conn = op.get_bind()
    conn.execute(sa.text(
        "INSERT INTO rating_objection (id, application_id, name, contact, text, status, decision, created_at, "
        "decided_at) SELECT o.id, n.subject_id, o.name, o.contact, o.text, o.status, o.decision, o.created_at, "
        "o.decided_at FROM notice_objection o JOIN public_notice n ON n.id = o.notice_id "
        "WHERE n.subject_type = 'rating_application'"))
    for (sid, starts, ends) in conn.execute(sa.text(
            "SELECT subject_id, starts_at, ends_at FROM public_notice WHERE subject_type = 'rating_application' "
            "AND status != 'withdrawn' ORDER BY id")).fetchall():
        conn.execute(sa.text("UPDATE rating_application SET notice_start = :s, notice_ends = :e WHERE id = :id"),
                     dict(s=starts, e=ends, id=sid))
    with op.batch_alter_table('notice_objection', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notice_objection_status'))
        batch_op.drop_index(batch_op.f('ix_notice_objection_notice_id'))
    op.drop_table('notice_objection')
    with op.batch_alter_table('public_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_notice_subject_type'))
        batch_op.drop_index(batch_op.f('ix_public_notice_subject_id'))
        batch_op.drop_index(batch_op.f('ix_public_notice_status'))
    op.drop_table('public_notice')
