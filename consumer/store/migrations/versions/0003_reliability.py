"""reliability: columns sized from the contract; outbox rows that cannot be published are marked failed

Revision ID: 0003_reliability
Revises: 0002_rule_history
Create Date: 2026-12-03 00:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_reliability"
down_revision = "0002_rule_history"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("subject", existing_type=sa.String(length=400), type_=sa.String(length=412),
                              existing_nullable=False)
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.String(length=200), type_=sa.String(length=292),
                              existing_nullable=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("error", sa.String(length=2000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("error")
        batch_op.drop_column("failed_at")
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.alter_column("event_id", existing_type=sa.String(length=292), type_=sa.String(length=200),
                              existing_nullable=False)
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("subject", existing_type=sa.String(length=412), type_=sa.String(length=400),
                              existing_nullable=False)
