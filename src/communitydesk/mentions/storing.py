"""Store parsed mentions: each (source, external id) once, each on a ticket, as the intake actor.

`store_mention` stores one through the unit of work; `store_mentions` stores a batch with a few queries
(see `bulk_placement`) and leaves exactly what storing them one by one would.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from communitydesk.experts.answers import ExpertWatch, close_loops
from communitydesk.mentions import service as mentions
from communitydesk.mentions.bulk_placement import Placement, Threads, TicketRef, chunks
from communitydesk.mentions.models import Mention
from communitydesk.mentions.schemas import MentionIn
from communitydesk.tickets.schemas import Actor
from communitydesk.tickets.threading import place_mention

INTAKE = Actor("intake")


def store_mention(
    session: Session, mention_in: MentionIn, *, company_names: list[str], watch: ExpertWatch | None = None
) -> bool:
    """Store one mention and put it on a ticket; return False when it was already stored.

    With `watch`, a known expert's post closes the loop on the outreach ticket it answers.
    """
    if mentions.get_by_external_id(session, source=mention_in.source, external_id=mention_in.external_id):
        return False
    mention = mentions.build(mention_in, company_names=company_names)
    try:
        with session.begin_nested():
            session.add(mention)
            session.flush()
    except IntegrityError:
        # Another writer stored the same (source, external id) between our check and insert.
        return False
    place_mention(session, mention, actor=INTAKE)
    if watch is not None:
        close_loops(session, [mention], watch)
    return True


def store_mentions(
    session: Session, batch: list[MentionIn], *, company_names: list[str], watch: ExpertWatch | None = None
) -> list[bool]:
    """Store mentions in order, as `store_mention` would one by one, with a few queries per batch.

    Return, for each mention, whether it was new. Threading follows `place_mention`: the ticket of the
    message replied to, else the earliest ticketed message of the thread, else the thread's root, where
    mentions earlier in the batch count as stored. If another writer races us to the same (source,
    external id), the batch is undone and stored one by one.
    """
    if not batch:
        return []
    try:
        with session.begin_nested():
            return _store_batch(session, batch, company_names=company_names, watch=watch)
    except IntegrityError:
        return [
            store_mention(session, mention_in, company_names=company_names, watch=watch)
            for mention_in in batch
        ]


def _stored_keys(session: Session, batch: list[MentionIn]) -> set[tuple[str, str]]:
    wanted: dict[str, set[str]] = {}
    for mention_in in batch:
        wanted.setdefault(mention_in.source, set()).add(mention_in.external_id)
    found: set[tuple[str, str]] = set()
    for source, external_ids in wanted.items():
        # One source per query, so both databases use the (source, external_id) unique index.
        for chunk in chunks(sorted(external_ids)):
            rows = session.scalars(
                select(Mention.external_id).where(Mention.source == source, Mention.external_id.in_(chunk))
            )
            found.update((source, external_id) for external_id in rows)
    return found


def _store_batch(
    session: Session, batch: list[MentionIn], *, company_names: list[str], watch: ExpertWatch | None
) -> list[bool]:
    stored = _stored_keys(session, batch)
    results: list[bool] = []
    fresh: list[Mention] = []
    for mention_in in batch:
        key = (mention_in.source, mention_in.external_id)
        results.append(key not in stored)
        if key not in stored:
            stored.add(key)
            fresh.append(mentions.build(mention_in, company_names=company_names))
    if not fresh:
        return results
    with session.no_autoflush:
        threads = Threads(session, fresh)
        placement = Placement(session, actor=INTAKE)
        placed: list[tuple[Mention, TicketRef]] = []
        for position, mention in enumerate(fresh):
            threaded = mention.parent_external_id or mention.root_external_id
            ref = placement.place(mention, threads.related(mention) if threaded else None)
            threads.placed(mention, ref, position)
            placed.append((mention, ref))
        placement.write(placed)
    if watch is not None:
        close_loops(session, fresh, watch)
    return results
