"""Import every feature's tables so metadata is complete (Alembic and tests use this)."""

from communitydesk.db.base import Base
from communitydesk.experts.models import ExpertRoute, Person, PersonHandle, TrackedOutreach
from communitydesk.intake.models import IntakeCursor, IntakeRun
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.metrics import models as metrics_models  # noqa: F401 - its indexes join the tables
from communitydesk.outreach.models import OutreachNudge, OutreachReply, OutreachRequest, SlackEvent
from communitydesk.replies.models import PublicReply
from communitydesk.routing.models import AcceptedAnswer
from communitydesk.taxonomy.models import Category, Group, Stage
from communitydesk.tickets.models import AuditEvent, Note, Ticket, TicketLink, TicketTag
from communitydesk.users.models import ApiToken, User, WebSession

__all__ = [
    "AcceptedAnswer",
    "ApiToken",
    "AuditEvent",
    "Base",
    "Category",
    "ExpertRoute",
    "Group",
    "IntakeCursor",
    "IntakeReject",
    "IntakeRun",
    "Mention",
    "Note",
    "OutreachNudge",
    "OutreachReply",
    "OutreachRequest",
    "Person",
    "PersonHandle",
    "PublicReply",
    "SlackEvent",
    "Stage",
    "Ticket",
    "TicketLink",
    "TicketTag",
    "TrackedOutreach",
    "User",
    "WebSession",
]
