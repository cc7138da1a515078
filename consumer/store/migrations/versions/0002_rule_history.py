"""rule history: alert occurrences, course-enrolment and section history, misplaced terms, event fingerprints

Revision ID: 0002_rule_history
Revises: 0001
Create Date: 2026-12-04 10:00:00
"""

import warnings

import sqlalchemy as sa
from alembic import op
from sqlalchemy.exc import SAWarning

revision = "0002_rule_history"
down_revision = "0001"
branch_labels = None
depends_on = None


def _replace_primary_key(table: str, columns: list[str]) -> None:
    """SQLite cannot alter a primary key: the table is copied (batch mode); PostgreSQL alters it in place."""
    name = f"{table}_pkey"
    if op.get_bind().dialect.name == "sqlite":
        # the copy keeps the reflected columns' primary_key flags; SQLAlchemy warns that the new constraint
        # overrides them, which is the point
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*primary_key=True, not matching", category=SAWarning)
            with op.batch_alter_table(table, recreate="always") as batch_op:
                batch_op.create_primary_key(name, columns)
    else:
        op.drop_constraint(name, table, type_="primary")
        op.create_primary_key(name, table, columns)


def upgrade() -> None:
    # an alert is named by its key across occurrences; alert_id is the current occurrence's published id
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.alter_column("alert_id", new_column_name="alert_key", existing_type=sa.String(36),
                              existing_nullable=False)
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.add_column(sa.Column("alert_id", sa.String(36), nullable=True))
    op.execute("UPDATE alerts SET alert_id = alert_key")  # every occurrence so far went out under the key
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.alter_column("alert_id", existing_type=sa.String(36), nullable=False)

    # an ended course enrolment and its re-enrolment are two facts
    _replace_primary_key("course_enrolments", ["asn", "school_code", "course_code", "section_id", "entry_date"])

    # a section is scheduled for a school year; another year's section of the same id is another fact
    with op.batch_alter_table("sections") as batch_op:
        batch_op.add_column(sa.Column("school_year_id", sa.Integer(), nullable=True))
    op.execute("UPDATE sections SET school_year_id = term_id / 100")
    with op.batch_alter_table("sections") as batch_op:
        batch_op.alter_column("school_year_id", existing_type=sa.Integer(), nullable=False)
    _replace_primary_key("sections", ["school_code", "course_code", "section_id", "school_year_id"])

    # terms configured for a year whose id or dates belong to another year
    with op.batch_alter_table("school_terms") as batch_op:
        batch_op.add_column(sa.Column("misplaced_term_ids", sa.JSON(), nullable=True))
    op.execute("UPDATE school_terms SET misplaced_term_ids = '[]'")
    with op.batch_alter_table("school_terms") as batch_op:
        batch_op.alter_column("misplaced_term_ids", existing_type=sa.JSON(), nullable=False)

    # what a processed event said, to tell a re-delivery from another event reusing its id
    with op.batch_alter_table("processed_events") as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch_op:
        batch_op.drop_column("fingerprint")
    with op.batch_alter_table("school_terms") as batch_op:
        batch_op.drop_column("misplaced_term_ids")
    op.execute(
        "DELETE FROM sections WHERE school_year_id < (SELECT MAX(s.school_year_id) FROM sections s "
        "WHERE s.school_code = sections.school_code AND s.course_code = sections.course_code "
        "AND s.section_id = sections.section_id)"
    )
    _replace_primary_key("sections", ["school_code", "course_code", "section_id"])
    with op.batch_alter_table("sections") as batch_op:
        batch_op.drop_column("school_year_id")
    op.execute(
        "DELETE FROM course_enrolments WHERE entry_date < (SELECT MAX(c.entry_date) FROM course_enrolments c "
        "WHERE c.asn = course_enrolments.asn AND c.school_code = course_enrolments.school_code "
        "AND c.course_code = course_enrolments.course_code AND c.section_id = course_enrolments.section_id)"
    )
    _replace_primary_key("course_enrolments", ["asn", "school_code", "course_code", "section_id"])
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.drop_column("alert_id")
    with op.batch_alter_table("alerts") as batch_op:
        batch_op.alter_column("alert_key", new_column_name="alert_id", existing_type=sa.String(36),
                              existing_nullable=False)
