"""Import every feature's tables so metadata is complete (Alembic and tests use this)."""

from communitydesk.db.base import Base
from communitydesk.intake.models import IntakeCursor, IntakeRun
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.metrics import models as metrics_models  # noqa: F401 - its indexes join the tables
from communitydesk.taxonomy.models import Category, Group, Stage
from communitydesk.tickets.models import AuditEvent, Note, Ticket, TicketLink, TicketTag
from communitydesk.users.models import ApiToken, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Base",
    "Category",
    "Group",
    "IntakeCursor",
    "IntakeReject",
    "IntakeRun",
    "Mention",
    "Note",
    "Stage",
    "Ticket",
    "TicketLink",
    "TicketTag",
    "User",
]
