"""per-ticket (and per ticket and month) facts for the metrics, backfilled from the audit trail

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 21:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ticket_facts",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_month", sa.Integer(), nullable=False),
        sa.Column("first_response_seconds", sa.Float(), nullable=True),
        sa.Column("solved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("solved_now", sa.Boolean(), nullable=False),
        sa.Column("has_docs_link", sa.Boolean(), nullable=False),
        sa.Column("first_answer_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_answer_month", sa.Integer(), nullable=True),
        sa.Column("expert_answer_seconds", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    op.create_table(
        "ticket_facts_docs_bases",
        sa.Column("base", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("base"),
    )
    op.create_table(
        "ticket_outreach_months",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("reached_out", sa.Boolean(), nullable=False),
        sa.Column("answered", sa.Boolean(), nullable=False),
        sa.Column("responded", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("ticket_id", "month"),
    )
    op.create_table(
        "metrics_month_counts",
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("measure", sa.String(length=20), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("tickets", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "measure", "bucket"),
    )
    # The tables are filled from the audit trail after the whole upgrade (communitydesk.upgrade.BACKFILLS).
    op.create_index(
        "ix_ticket_facts_created_month_response", "ticket_facts", ["created_month", "first_response_seconds"]
    )
    op.create_index(
        "ix_ticket_facts_created_response", "ticket_facts", ["created_at", "first_response_seconds"]
    )
    op.create_index("ix_ticket_facts_solved", "ticket_facts", ["solved_at", "solved_now", "has_docs_link"])
    op.create_index(
        "ix_ticket_facts_first_answer", "ticket_facts", ["first_answer_at", "expert_answer_seconds"]
    )
    op.create_index(
        "ix_ticket_facts_first_answer_month", "ticket_facts", ["first_answer_month", "expert_answer_seconds"]
    )
    op.create_index(
        "ix_ticket_outreach_months_month",
        "ticket_outreach_months",
        ["month", "reached_out", "answered", "responded"],
    )


def downgrade() -> None:
    op.drop_table("metrics_month_counts")
    op.drop_table("ticket_outreach_months")
    op.drop_table("ticket_facts_docs_bases")
    op.drop_table("ticket_facts")
