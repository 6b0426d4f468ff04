"""Routing commands and queries: load a router from the database, route tickets, learn from answers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from communitydesk.config import Settings
from communitydesk.docs import service as docs
from communitydesk.docs.backend import SearchBackend
from communitydesk.docs.sqlite_backend import SqliteDocsIndex
from communitydesk.experts.flows import resolver as directory_resolver
from communitydesk.experts.models import ExpertRoute, Person
from communitydesk.routing.directory import (
    CategoryInfo,
    GroupInfo,
    PastAnswer,
    PersonInfo,
    RouteInfo,
    StageInfo,
    docs_path_prefix,
    route_pattern,
    word_set,
)
from communitydesk.routing.lexicon import category_doc, lexicon_of
from communitydesk.routing.models import AcceptedAnswer
from communitydesk.routing.router import Router
from communitydesk.routing.schemas import Routing
from communitydesk.taxonomy.directory_format import FEATURES_ATTRIBUTE
from communitydesk.taxonomy.models import Category, Group, Stage
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import Ticket

MAX_TICKET_TEXT = 8000
_PEOPLE_FIELDS = (
    "pm",
    "backend_engineering_manager",
    "frontend_engineering_manager",
    "support",
    "tech_writer",
)


def load_router(
    session: Session,
    settings: Settings,
    *,
    index: SearchBackend | None = None,
    exclude_docs: Sequence[str] = (),
) -> Router:
    """Read the directory, people, routes and accepted answers into a router."""
    stage_rows = list(session.scalars(select(Stage)))
    stage_key = {stage.id: stage.key for stage in stage_rows}
    stages = {
        stage.key: StageInfo(
            stage.key,
            stage.name,
            stage.slack_channel,
            {name: stage.attributes.get(name) for name in ("pm", "em") if stage.attributes.get(name)},
        )
        for stage in stage_rows
    }
    group_rows = list(session.scalars(select(Group)))
    group_key = {group.id: group.key for group in group_rows}
    groups = {
        group.key: GroupInfo(
            group.key,
            group.name,
            stage_key[group.stage_id],
            group.slack_channel,
            {name: group.attributes.get(name) for name in _PEOPLE_FIELDS if group.attributes.get(name)},
        )
        for group in group_rows
    }
    categories: dict[str, CategoryInfo] = {}
    docs = []
    for category in session.scalars(select(Category)):
        features = category.attributes.get(FEATURES_ATTRIBUTE)
        features = features if isinstance(features, list) else []
        group = group_key.get(category.group_id) if category.group_id else None
        stage = stage_key.get(category.stage_id) if category.stage_id else None
        categories[category.key] = CategoryInfo(
            category.key,
            category.name,
            group,
            stage,
            docs_path_prefix(category.attributes.get("documentation")),
            frozenset(
                path
                for feature in features
                if isinstance(feature, dict) and (path := docs_path_prefix(feature.get("link")))
            ),
        )
        labels = category.attributes.get("feature_labels") or []
        docs.append(
            category_doc(
                category.key,
                category.name,
                group,
                stage,
                category.description,
                [str(label) for label in labels] if isinstance(labels, list) else [],
                [
                    str(feature["title"])
                    for feature in features
                    if isinstance(feature, dict) and feature.get("title")
                ],
            )
        )
    people = {
        person.key: PersonInfo(
            person.key,
            person.name,
            person.role,
            person.slack_user_id,
            person.team_member,
            {kind: list(keys) for kind, keys in person.expertise.items()},
        )
        for person in session.scalars(select(Person))
    }
    routes = [
        RouteInfo(
            route.key,
            route.kind,
            route.topic,
            route.channel,
            route.slack_mention,
            tuple(route.people),
            route_pattern(route.terms),
            dict(route.attributes),
        )
        for route in session.scalars(select(ExpertRoute).order_by(ExpertRoute.key))
    ]
    history = [
        PastAnswer(answer.ticket_id, person_key, answer.stage_key, answer.group_key, word_set(answer.text))
        for answer, person_key in session.execute(
            select(AcceptedAnswer, Person.key).join(Person, AcceptedAnswer.person_id == Person.id)
        )
        if answer.stage_key in stages and (answer.group_key is None or answer.group_key in groups)
    ]
    return Router(
        resolver=directory_resolver(session, settings),
        stages=stages,
        groups=groups,
        categories=categories,
        lexicon=lexicon_of(tuple(docs)),
        people=people,
        routes=routes,
        history=history,
        settings=settings.routing,
        index=index,
        exclude_docs=tuple(exclude_docs),
    )


@contextmanager
def open_router(
    session: Session,
    settings: Settings,
    *,
    exclude_docs: Sequence[str] = (),
    shared_index: SearchBackend | None = None,
) -> Iterator[Router]:
    """Load a router with the configured docs index when it has pages (else without docs ownership).

    The web app passes its shared, already open index (`shared_index`): opening one reads the whole
    vocabulary, a tenth of a second on a large docs tree, too slow to repeat for every ticket page.
    """
    if shared_index is not None:
        yield load_router(session, settings, index=shared_index, exclude_docs=exclude_docs)
        return
    index: SqliteDocsIndex | None = None
    if settings.resolved_docs_index_path.is_file():
        index = docs.open_index(settings)
        if not index.counts()["pages"]:
            index.close()
            index = None
    try:
        yield load_router(session, settings, index=index, exclude_docs=exclude_docs)
    finally:
        if index is not None:
            index.close()


def ticket_text(session: Session, ticket: Ticket) -> tuple[str, str | None]:
    """Return what a ticket is about (subject, title and its first mentions) and its first mention's URL."""
    mentions = tickets.mentions_of(session, ticket)
    parts = [ticket.subject]
    for mention in mentions[:3]:
        if mention.title and mention.title not in parts:
            parts.append(mention.title)
        parts.append(mention.text)
    url = mentions[0].url if mentions else None
    return "\n\n".join(parts)[:MAX_TICKET_TEXT], url


def route_ticket(session: Session, router: Router, ticket: Ticket) -> Routing:
    """Route a ticket by its text, channel and (for blog comments) the post it is on."""
    text, url = ticket_text(session, ticket)
    return router.route(text, channel=ticket.channel, url=url)


def record_accepted_answer(
    session: Session, router: Router, ticket: Ticket, person: Person
) -> AcceptedAnswer | None:
    """Remember that a person's public answer solved a ticket, so similar texts are routed to them.

    The owner stored is the ticket's own stage/group fields when an advocate set them, else its routing.
    """
    existing = session.scalar(
        select(AcceptedAnswer).where(
            AcceptedAnswer.ticket_id == ticket.id, AcceptedAnswer.person_id == person.id
        )
    )
    if existing is not None:
        return existing
    text, url = ticket_text(session, ticket)
    owner = router.resolver.owner(ticket.stage, ticket.group_name) if ticket.stage else None
    if owner is None or owner.stage is None:
        routing = router.route(text, channel=ticket.channel, url=url)
        stage = routing.stage.key if routing.stage else None
        group = routing.group.key if routing.group else None
        category = routing.category.key if routing.category else None
    else:
        stage, group, category = owner.stage, owner.group, ticket.category
    answer = AcceptedAnswer(
        ticket_id=ticket.id,
        person_id=person.id,
        stage_key=stage,
        group_key=group,
        category_key=category,
        text=text,
    )
    session.add(answer)
    session.flush()
    return answer
