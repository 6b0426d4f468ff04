"""indexes for metrics

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21 20:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_ticket_tags_created_name", "ticket_tags", ["created_at", "name"])
    op.create_index(
        "ix_audit_events_macro_created", "audit_events", ["macro", "created_at", "action", "ticket_id"]
    )
    op.create_index(
        "ix_audit_events_ticket_macro",
        "audit_events",
        ["ticket_id", "macro", "action", "created_at"],
        sqlite_where=sa.text("macro IS NOT NULL"),
        postgresql_where=sa.text("macro IS NOT NULL"),
    )
    responses = (
        "actor_id IS NOT NULL AND (action = 'macro_applied' OR (action = 'status' AND new_value = 'solved')"
        " OR action = 'public_reply')"
    )
    op.create_index(
        "ix_audit_events_responses",
        "audit_events",
        ["ticket_id", "created_at", "actor_id", "action", "new_value"],
        sqlite_where=sa.text(responses),
        postgresql_where=sa.text(responses),
    )
    op.create_index("ix_tickets_solved_at_status", "tickets", ["solved_at", "status", "id"])
    op.create_index("ix_ticket_links_kind_created", "ticket_links", ["kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_ticket_links_kind_created", table_name="ticket_links")
    op.drop_index("ix_tickets_solved_at_status", table_name="tickets")
    op.drop_index("ix_audit_events_responses", table_name="audit_events")
    op.drop_index("ix_audit_events_ticket_macro", table_name="audit_events")
    op.drop_index("ix_audit_events_macro_created", table_name="audit_events")
    op.drop_index("ix_ticket_tags_created_name", table_name="ticket_tags")
