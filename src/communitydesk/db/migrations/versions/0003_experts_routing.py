"""experts directory routing history tracked outreach

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 20:24:53.862686
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "expert_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=True),
        sa.Column("slack_mention", sa.String(length=100), nullable=True),
        sa.Column(
            "people",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "terms",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "attributes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expert_routes")),
        sa.UniqueConstraint("key", name=op.f("uq_expert_routes_key")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("slack_user_id", sa.String(length=40), nullable=True),
        sa.Column("team_member", sa.Boolean(), nullable=False),
        sa.Column(
            "expertise",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("key", name=op.f("uq_people_key")),
    )
    op.create_table(
        "person_handles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("handle", sa.String(length=200), nullable=False),
        sa.Column("display", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_person_handles_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_handles")),
        sa.UniqueConstraint("platform", "handle", name=op.f("uq_person_handles_platform_handle")),
    )
    with op.batch_alter_table("person_handles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_handles_person_id"), ["person_id"], unique=False)

    op.create_table(
        "routing_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=100), nullable=True),
        sa.Column("group_key", sa.String(length=100), nullable=True),
        sa.Column("category_key", sa.String(length=100), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_routing_history_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_routing_history_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_history")),
        sa.UniqueConstraint("ticket_id", "person_id", name=op.f("uq_routing_history_ticket_id_person_id")),
    )
    with op.batch_alter_table("routing_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_routing_history_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_routing_history_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_routing_history_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "tracked_outreach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("expert_name", sa.String(length=200), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["mention_id"],
            ["mentions.id"],
            name=op.f("fk_tracked_outreach_mention_id_mentions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_tracked_outreach_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracked_outreach")),
        sa.UniqueConstraint("mention_id", name=op.f("uq_tracked_outreach_mention_id")),
    )
    with op.batch_alter_table("tracked_outreach", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracked_outreach_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracked_outreach_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tracked_outreach_platform"), ["platform"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracked_outreach", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracked_outreach_platform"))
        batch_op.drop_index(batch_op.f("ix_tracked_outreach_person_id"))
        batch_op.drop_index(batch_op.f("ix_tracked_outreach_created_at"))

    op.drop_table("tracked_outreach")
    with op.batch_alter_table("routing_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_history_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_routing_history_person_id"))
        batch_op.drop_index(batch_op.f("ix_routing_history_created_at"))

    op.drop_table("routing_history")
    with op.batch_alter_table("person_handles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_handles_person_id"))

    op.drop_table("person_handles")
    op.drop_table("people")
    op.drop_table("expert_routes")
