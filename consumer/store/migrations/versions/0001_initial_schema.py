"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-28 16:17:00.815982
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('alerts',
    sa.Column('alert_id', sa.String(length=36), nullable=False),
    sa.Column('rule', sa.String(length=4), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('alert_type', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('asn', sa.String(length=9), nullable=True),
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('home_school_code', sa.String(length=4), nullable=True),
    sa.Column('school_year_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=400), nullable=False),
    sa.Column('message', sa.String(length=2000), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('occurrence', sa.Integer(), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('alert_id')
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_asn', ['asn'], unique=False)
        batch_op.create_index('ix_alerts_code_status', ['code', 'status'], unique=False)
        batch_op.create_index('ix_alerts_home_status', ['home_school_code', 'status'], unique=False)
        batch_op.create_index('ix_alerts_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_alerts_school_status', ['school_code', 'status'], unique=False)

    op.create_table('course_enrolments',
    sa.Column('asn', sa.String(length=9), nullable=False),
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('course_code', sa.String(length=200), nullable=False),
    sa.Column('section_id', sa.String(length=200), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('course_type', sa.String(length=200), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('asn', 'school_code', 'course_code', 'section_id')
    )
    with op.batch_alter_table('course_enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_course_enrolments_type_term', ['course_type', 'term_id', 'asn'], unique=False)

    op.create_table('deadlines',
    sa.Column('deadline_id', sa.String(length=36), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('asn', sa.String(length=9), nullable=False),
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.Column('partition', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('deadline_id')
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index('ix_deadlines_due_at', ['due_at'], unique=False)

    op.create_table('enrolments',
    sa.Column('asn', sa.String(length=9), nullable=False),
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('home_school_code', sa.String(length=4), nullable=True),
    sa.Column('entry_date', sa.Date(), nullable=True),
    sa.Column('grade', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('exit_code', sa.String(length=200), nullable=True),
    sa.Column('exit_reason', sa.String(length=20), nullable=True),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.Column('purge_after', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('asn', 'school_code', 'kind')
    )
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.create_index('ix_enrolments_home', ['home_school_code', 'kind', 'status'], unique=False)
        batch_op.create_index('ix_enrolments_kind_status_asn', ['kind', 'status', 'asn'], unique=False)
        batch_op.create_index('ix_enrolments_school', ['school_code', 'kind', 'status'], unique=False)

    op.create_table('eoy_runs',
    sa.Column('run_id', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('school_year_id', sa.Integer(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=False),
    sa.Column('school_codes', sa.JSON(), nullable=False),
    sa.Column('exit_code', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('cursor_asn', sa.String(length=9), nullable=False),
    sa.Column('closed_count', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('run_id')
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('topic', sa.String(length=249), nullable=False),
    sa.Column('key', sa.LargeBinary(), nullable=True),
    sa.Column('value', sa.LargeBinary(), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['id'], unique=False, sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))
        batch_op.create_index('ix_outbox_sent_at', ['sent_at'], unique=False)

    op.create_table('processed_events',
    sa.Column('event_id', sa.String(length=200), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id')
    )
    op.create_table('school_terms',
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('school_year_id', sa.Integer(), nullable=False),
    sa.Column('term_ids', sa.JSON(), nullable=False),
    sa.Column('is_summer_school', sa.Boolean(), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('school_code', 'school_year_id')
    )
    op.create_table('sections',
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('course_code', sa.String(length=200), nullable=False),
    sa.Column('section_id', sa.String(length=200), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('school_code', 'course_code', 'section_id')
    )
    op.create_table('stored_grades',
    sa.Column('asn', sa.String(length=9), nullable=False),
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('course_code', sa.String(length=200), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.String(length=200), nullable=True),
    sa.Column('mark', sa.String(length=200), nullable=False),
    sa.Column('credits', sa.Integer(), nullable=True),
    sa.Column('course_type', sa.String(length=200), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('asn', 'school_code', 'course_code', 'term_id')
    )
    with op.batch_alter_table('stored_grades', schema=None) as batch_op:
        batch_op.create_index('ix_stored_grades_asn_type', ['asn', 'course_type'], unique=False)

    op.create_table('transfers',
    sa.Column('asn', sa.String(length=9), nullable=False),
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('transfer_date', sa.Date(), nullable=False),
    sa.Column('from_school_code', sa.String(length=4), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('concurrent_exit_date', sa.Date(), nullable=True),
    sa.Column('reenrolled', sa.Boolean(), nullable=False),
    sa.Column('checked', sa.Boolean(), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('asn', 'school_code', 'transfer_date')
    )
    op.create_table('watermarks',
    sa.Column('topic', sa.String(length=249), nullable=False),
    sa.Column('partition', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('topic', 'partition')
    )



def downgrade() -> None:

    op.drop_table('watermarks')
    op.drop_table('transfers')
    with op.batch_alter_table('stored_grades', schema=None) as batch_op:
        batch_op.drop_index('ix_stored_grades_asn_type')

    op.drop_table('stored_grades')
    op.drop_table('sections')
    op.drop_table('school_terms')
    op.drop_table('processed_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sent_at')
        batch_op.drop_index('ix_outbox_pending', sqlite_where=sa.text('sent_at IS NULL'), postgresql_where=sa.text('sent_at IS NULL'))

    op.drop_table('outbox')
    op.drop_table('eoy_runs')
    with op.batch_alter_table('enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_enrolments_school')
        batch_op.drop_index('ix_enrolments_kind_status_asn')
        batch_op.drop_index('ix_enrolments_home')

    op.drop_table('enrolments')
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.drop_index('ix_deadlines_due_at')

    op.drop_table('deadlines')
    with op.batch_alter_table('course_enrolments', schema=None) as batch_op:
        batch_op.drop_index('ix_course_enrolments_type_term')

    op.drop_table('course_enrolments')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_school_status')
        batch_op.drop_index('ix_alerts_occurred_at')
        batch_op.drop_index('ix_alerts_home_status')
        batch_op.drop_index('ix_alerts_code_status')
        batch_op.drop_index('ix_alerts_asn')

    op.drop_table('alerts')

