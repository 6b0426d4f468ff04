"""The demo data: loaded through the real seams, lively, original to the company's name, and loaded once."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from communitydesk.demo.loader import load_demo
from communitydesk.docs import service as docs
from communitydesk.mentions.models import Mention
from communitydesk.runtime import Desk
from communitydesk.taxonomy import service as taxonomy
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import AuditEvent, Note, Ticket, TicketLink
from communitydesk.tickets.schemas import CHANNELS
from communitydesk.tickets.threading import THREAD_LINK
from communitydesk.users import service as users
from communitydesk.users.models import User
from tests.conftest import People

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=UTC)
REPO = Path(__file__).parents[2]
GITLAB_2022 = REPO / ".." / "shared" / "data" / "taxonomy" / "www-gitlab-com_2022-11"


def _sizes(desk: Desk) -> dict[str, int]:
    with desk.sessions() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Mention, Ticket, Note, TicketLink, AuditEvent, User)
        }


def _ticket_of(desk: Desk, external_id: str) -> Ticket:
    with desk.sessions() as session:
        ticket_id = session.scalar(select(Mention.ticket_id).where(Mention.external_id == external_id))
        ticket = tickets.get(session, ticket_id) if ticket_id else None
        assert ticket is not None, external_id
        return ticket


def test_second_load_adds_nothing(desk: Desk) -> None:
    first = load_demo(desk, now=NOW)
    sizes = _sizes(desk)

    second = load_demo(desk)

    assert (first.mentions_new, first.mentions_rejected, first.rejects) == (26, 0, [])
    assert (first.stages, first.groups, first.categories) == (4, 8, 13)
    assert len(first.users_created) == 3 and first.tickets_worked > 0
    assert (second.mentions_new, second.mentions_duplicate) == (0, 26)
    assert (second.users_created, second.tickets_worked, second.taxonomy_changed) == ([], 0, False)
    assert _sizes(desk) == sizes
    assert "unchanged" in second.describe()


def test_summary_gives_the_demo_logins(desk: Desk) -> None:
    summary = load_demo(desk, now=NOW)

    text = summary.describe()
    assert "Log in as advocate@example.com / demo-password (advocate)" in text
    assert "Log in as admin@example.com / demo-password (admin)" in text
    assert "Log in as viewer@example.com / demo-password (viewer)" in text
    with desk.sessions() as session:
        user = users.authenticate(session, email="viewer@example.com", password="demo-password")
        assert user is not None and user.role == "viewer"


def test_existing_users_are_left_alone_and_not_advertised(desk: Desk, people: People) -> None:
    summary = load_demo(desk, now=NOW)

    assert summary.users_created == []
    assert len(summary.users_skipped) == 3
    assert "Log in as" not in summary.describe()


def test_production_gets_no_demo_users(desk: Desk) -> None:
    production = dataclasses.replace(
        desk, settings=desk.settings.model_copy(update={"environment": "production"})
    )

    summary = load_demo(production, now=NOW)

    assert summary.mentions_new == 26
    assert "not created when environment=production" in summary.describe()
    assert "Log in as" not in summary.describe()
    with desk.sessions() as session:
        assert users.get_all(session) == []
    assert "reached-out-to-expert" in _ticket_of(desk, "demo-x-1003").tags


def test_every_channel_is_present_and_the_newest_mention_is_now(desk: Desk) -> None:
    load_demo(desk, now=NOW)

    with desk.sessions() as session:
        channels = set(session.scalars(select(Mention.channel).distinct()))
        newest = session.scalar(select(func.max(Mention.created_at)))
        oldest = session.scalar(select(func.min(Mention.created_at)))
    assert channels == set(CHANNELS)
    assert newest is not None and oldest is not None
    assert newest.astimezone(UTC) == NOW.replace(second=0)
    assert 45 <= (newest - oldest).days <= 70


def test_mentions_use_the_configured_company_name(desk: Desk) -> None:
    acme = dataclasses.replace(desk, settings=desk.settings.model_copy(update={"company_names": ["Acme"]}))

    load_demo(acme, now=NOW)

    with desk.sessions() as session:
        texts = list(session.scalars(select(Mention.text)))
        story = session.scalar(select(Mention).where(Mention.external_id == "demo-hn-4001"))
    assert not any("GitLab" in text or "{company" in text for text in texts)
    assert any("@acme," in text for text in texts)
    assert story is not None and story.title and "Acme" in story.title and story.names_company


def test_hostile_comment_is_stored_without_script_or_handlers(desk: Desk) -> None:
    load_demo(desk, now=NOW)

    with desk.sessions() as session:
        hostile = session.scalar(select(Mention).where(Mention.external_id == "demo-disqus-2002"))
    assert hostile is not None
    lowered = hostile.text.lower()
    for bad in ("<script", "onerror", "document.cookie", "javascript:", "<img"):
        assert bad not in lowered
    assert "cleanup policy also remove untagged manifests" in hostile.text


def test_replies_thread_by_channel(desk: Desk) -> None:
    load_demo(desk, now=NOW)

    # X and forum replies join their conversation's ticket.
    assert _ticket_of(desk, "demo-x-1002").id == _ticket_of(desk, "demo-x-1001").id
    assert _ticket_of(desk, "demo-discourse-601-2").id == _ticket_of(desk, "demo-discourse-601-1").id
    # A docs comment reply is a ticket of its own.
    assert _ticket_of(desk, "demo-disqus-3002").id != _ticket_of(desk, "demo-disqus-3001").id
    # Hacker News and Reddit replies are new tickets linked to the thread's ticket.
    story = _ticket_of(desk, "demo-hn-4001")
    reply = _ticket_of(desk, "demo-hn-4002")
    submission = _ticket_of(desk, "demo-reddit-t3_r5001")
    comment = _ticket_of(desk, "demo-reddit-t1_c5002")
    with desk.sessions() as session:
        links = {
            (row.ticket_id, row.kind, row.target_ticket_id) for row in session.scalars(select(TicketLink))
        }
    assert reply.id != story.id
    assert (reply.id, THREAD_LINK, story.id) in links
    assert (comment.id, THREAD_LINK, submission.id) in links


def test_demo_work_shows_outreach_an_expert_response_and_routing(desk: Desk) -> None:
    load_demo(desk, now=NOW)

    answered = _ticket_of(desk, "demo-x-1003")
    assert answered.status == "solved"
    assert {"reached-out-to-expert", "expert-responded", "expert-response"} <= set(answered.tags)
    assert (answered.stage, answered.group_name, answered.category) == (
        "create",
        "code_review",
        "code_review",
    )
    assert _ticket_of(desk, "demo-x-1004").id == answered.id
    with desk.sessions() as session:
        notes = [note.body for note in tickets.notes_of(session, answered)]
    assert any("#g_code-review" in body and "slack.example/archives/" in body for body in notes)
    assert any("Expert response by Dana Whitfield" in body for body in notes)

    waiting = _ticket_of(desk, "demo-disqus-3001")
    assert waiting.status == "open" and "reached-out-to-expert" in waiting.tags
    untracked = _ticket_of(desk, "demo-hn-4001")
    with desk.sessions() as session:
        notes = [note.body for note in tickets.notes_of(session, untracked)]
        advocate = users.get_by_email(session, "advocate@example.com")
    assert any("#questions" in body for body in notes)

    assigned = _ticket_of(desk, "demo-discourse-601-1")
    assert advocate is not None and assigned.assignee_id == advocate.id
    assert (assigned.stage, assigned.group_name) == ("verify", "runner")


def test_missing_gitlab_taxonomy_folder_is_a_clear_error(desk: Desk, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"stages\.yml"):
        load_demo(desk, gitlab_taxonomy=tmp_path / "missing")
    (tmp_path / "stages.yml").write_text("groups: {}\n", encoding="utf-8")
    (tmp_path / "categories.yml").write_text("{}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing top-level key 'stages'"):
        load_demo(desk, gitlab_taxonomy=tmp_path)


@pytest.mark.skipif(
    not (GITLAB_2022 / "stages.yml").is_file(),
    reason=f"GitLab's real taxonomy files are not in {GITLAB_2022.resolve()}",
)
def test_demo_with_gitlabs_real_taxonomy(desk: Desk) -> None:
    summary = load_demo(desk, gitlab_taxonomy=GITLAB_2022, now=NOW)

    assert (summary.stages, summary.groups, summary.categories) == (20, 60, 139)
    assert "GitLab files in" in summary.describe()
    with desk.sessions() as session:
        assert taxonomy.get_stage_by_key(session, "create") is not None
    ticket = _ticket_of(desk, "demo-zendesk-7001")
    assert (ticket.stage, ticket.group_name) == ("manage", "authentication_and_authorization")


@pytest.mark.skipif(
    not (GITLAB_2022 / "stages.yml").is_file(),
    reason=f"GitLab's real taxonomy files are not in {GITLAB_2022.resolve()}",
)
def test_demo_directory_never_overwrites_a_real_one(desk: Desk) -> None:
    load_demo(desk, gitlab_taxonomy=GITLAB_2022, now=NOW)

    summary = load_demo(desk, now=NOW)

    assert summary.taxonomy_source == "existing directory kept"
    assert (summary.stages, summary.groups, summary.categories) == (20, 60, 139)
    with desk.sessions() as session:
        create = taxonomy.get_stage_by_key(session, "create")
        assert create is not None and "demo" not in create.attributes


def test_the_demo_docs_answer_some_demo_questions_and_leave_gaps(desk: Desk) -> None:
    summary = load_demo(desk, now=NOW)
    assert summary.docs_pages == 10 and "Docs index (built-in demo docs): 10 pages" in summary.describe()

    index = docs.open_index(desk.settings)
    try:
        with desk.sessions() as session:
            question = session.scalars(
                select(Mention).where(Mention.external_id == "demo-reddit-t3_r5001")
            ).one()
        found = docs.suggest(index, f"{question.title}\n\n{question.text}", top=3)
        assert found.suggestions[0].path == "ci/caching/_index.md"
        assert found.suggestions[0].url == "https://docs.example.com/ci/caching/#where-the-cache-is-stored"
        assert (found.suggestions[0].stage, found.suggestions[0].group) == ("Verify", "Pipeline Execution")
        seats = docs.suggest(index, "seat count did not drop after deactivating users on the billing page")
        # Judged on the same footing as a large docs tree: the answered question clears the docs-first
        # threshold, the one the demo docs leave out does not (so the desk offers a docs issue).
        threshold = desk.settings.docs_first.low_confidence
        assert found.confidence >= threshold > seats.confidence
        # Pages a question's words are spread over (a third of this tree mentions jobs, pipelines or
        # approvals) still say so: the share matched is measured in BM25's own idf.
        for external_id, page in (("demo-x-1003", "code_owners.md"), ("demo-disqus-2001", "needs.md")):
            with desk.sessions() as session:
                text = session.scalars(select(Mention.text).where(Mention.external_id == external_id)).one()
            answered = docs.suggest(index, text, top=3)
            assert answered.suggestions[0].path.endswith(page) and answered.level == "high", answered
    finally:
        index.close()
    assert load_demo(desk).docs_pages == 10, "loading again indexes nothing new"


def test_the_demo_keeps_a_real_docs_index(desk: Desk, tmp_path: Path) -> None:
    real = tmp_path / "real-docs"
    real.mkdir()
    (real / "page.md").write_text("---\ntitle: Real page\n---\n\n# Real page\n\nText.\n", encoding="utf-8")
    index = docs.open_index(desk.settings)
    try:
        docs.index(index, docs.trees_from([real], ["https://docs.real.example/"], "directory"))
    finally:
        index.close()
    summary = load_demo(desk, now=NOW)
    assert (summary.docs_source, summary.docs_pages) == ("existing index kept", 1)
