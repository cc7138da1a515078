"""console: alert transitions, syncs sent, dead letters, consumer status; alerts in time order

Revision ID: 0004_console
Revises: 0003_reliability
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0004_console'
down_revision = '0003_reliability'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.create_index('ix_alert_events_alert', ['alert_id', 'occurred_at'], unique=False)

    op.create_table('syncs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('sync_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('asn', sa.String(length=9), nullable=False),
    sa.Column('school_code', sa.String(length=4), nullable=False),
    sa.Column('enrolment_kind', sa.String(length=10), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('exit_code', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('source_event_id', sa.String(length=200), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('syncs', schema=None) as batch_op:
        batch_op.create_index('ix_syncs_time', ['occurred_at', 'id'], unique=False)
        batch_op.create_index('ux_syncs_sync_id', ['sync_id'], unique=True)

    op.create_table('dead_letters',
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('topic', sa.String(length=249), nullable=False),
    sa.Column('source_topic', sa.String(length=249), nullable=False),
    sa.Column('source_partition', sa.Integer(), nullable=False),
    sa.Column('source_offset', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=True),
    sa.Column('value_size', sa.Integer(), nullable=False),
    sa.Column('error_class', sa.String(length=200), nullable=False),
    sa.Column('error_message', sa.String(length=4000), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id')
    )
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.create_index('ix_dead_letters_topic_time', ['topic', 'failed_at'], unique=False)

    op.create_table('consumer_status',
    sa.Column('topic', sa.String(length=249), nullable=False),
    sa.Column('partition', sa.Integer(), nullable=False),
    sa.Column('member', sa.String(length=200), nullable=False),
    sa.Column('position', sa.BigInteger(), nullable=False),
    sa.Column('highwater', sa.BigInteger(), nullable=True),
    sa.Column('lag', sa.BigInteger(), nullable=False),
    sa.Column('buffered', sa.Integer(), nullable=False),
    sa.Column('last_batch_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('topic', 'partition')
    )

    # keyset pages of alerts walk this index; it supersedes the one on occurred_at alone
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_occurred_at')
        batch_op.create_index('ix_alerts_time', ['occurred_at', 'alert_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_time')
        batch_op.create_index('ix_alerts_occurred_at', ['occurred_at'], unique=False)

    op.drop_table('consumer_status')
    with op.batch_alter_table('dead_letters', schema=None) as batch_op:
        batch_op.drop_index('ix_dead_letters_topic_time')

    op.drop_table('dead_letters')
    with op.batch_alter_table('syncs', schema=None) as batch_op:
        batch_op.drop_index('ux_syncs_sync_id')
        batch_op.drop_index('ix_syncs_time')

    op.drop_table('syncs')
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_events_alert')

    op.drop_table('alert_events')
