"""`desk docs gap TICKET [--file] [--wrong URL] [--force]` against a real database and a local GitLab."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from communitydesk.cli.main import app
from communitydesk.runtime import Desk
from communitydesk.tickets import service as tickets
from communitydesk.tickets.models import TicketLink
from communitydesk.tickets.schemas import Actor
from tests.fakes.gitlab import FakeGitLab
from tests.web.helpers import make_ticket

PIZZA = "Best pizza dough recipe: flour, water, salt and a slow rise overnight."
ISSUE_1 = "https://gitlab.example.com/gitlab-org/gitlab/-/issues/1"


def _links(desk: Desk, ticket_id: int) -> list[tuple[str, str | None]]:
    with desk.sessions() as session:
        rows = session.scalars(select(TicketLink).where(TicketLink.ticket_id == ticket_id)).all()
        return [(row.kind, row.target_url) for row in rows]


def test_gap_prints_the_draft_and_files_nothing(
    cli: CliRunner, desk: Desk, docs_indexed: Path, fake_gitlab: FakeGitLab
) -> None:
    ticket_id = make_ticket(desk, text=PIZZA)
    with desk.sessions() as session, session.begin():
        ticket = tickets.get(session, ticket_id)
        assert ticket is not None
        tickets.set_field(session, ticket, "stage", "verify", actor=Actor("t"))
        tickets.set_field(session, ticket, "group_name", "pipeline_authoring", actor=Actor("t"))

    result = cli.invoke(app, ["docs", "gap", str(ticket_id)])

    assert result.exit_code == 0, result.output
    assert "(low: no page answers well)" in result.stdout
    assert "Docs gap: Best pizza dough recipe" in result.stdout
    assert (
        "documentation, type::maintenance, docs::new, devops::verify, group::pipeline authoring"
        in result.stdout
    )
    assert "https://example.com/reddit/r1" in result.stdout and PIZZA in result.stdout
    assert "not filed" in result.stdout
    assert fake_gitlab.issues == [] and _links(desk, ticket_id) == []


def test_gap_files_once_unless_forced(
    cli: CliRunner, desk: Desk, docs_indexed: Path, fake_gitlab: FakeGitLab
) -> None:
    ticket_id = make_ticket(desk, text=PIZZA)

    first = cli.invoke(app, ["docs", "gap", str(ticket_id), "--file"])
    second = cli.invoke(app, ["docs", "gap", str(ticket_id), "--file"])

    assert first.exit_code == 0, first.output
    assert f"filed {ISSUE_1} and linked it on ticket #{ticket_id}" in first.stdout
    assert second.exit_code == 0 and f"already filed for ticket #{ticket_id}: {ISSUE_1}" in second.stdout
    assert len(fake_gitlab.issues) == 1
    assert _links(desk, ticket_id) == [("docs_issue", ISSUE_1)]

    forced = cli.invoke(app, ["docs", "gap", str(ticket_id), "--file", "--force"])
    assert forced.exit_code == 0 and "issues/2" in forced.stdout
    assert len(_links(desk, ticket_id)) == 2


def test_wrong_docs_is_its_own_issue_about_the_page(
    cli: CliRunner, desk: Desk, docs_indexed: Path, fake_gitlab: FakeGitLab
) -> None:
    ticket_id = make_ticket(desk, text="The variables page is wrong: protected variables also reach tags")
    page = "https://docs.example.com/ci/variables/#protect-a-cicd-variable"
    cli.invoke(app, ["docs", "gap", str(ticket_id), "--file"])

    result = cli.invoke(app, ["docs", "gap", str(ticket_id), "--wrong", page, "--file"])

    assert result.exit_code == 0, result.output
    assert len(fake_gitlab.issues) == 2  # a gap issue filed before does not stand in for the feedback issue
    feedback = fake_gitlab.issues[1]
    assert feedback["title"].startswith("Docs feedback: The variables page is wrong")
    assert feedback["labels"] == [
        "documentation",
        "type::maintenance",
        "docs::fix",
        "devops::verify",
        "group::pipeline authoring",
    ]
    assert page in feedback["description"]
    assert [kind for kind, _ in _links(desk, ticket_id)] == ["docs_issue", "docs_issue"]
    same_page = cli.invoke(app, ["docs", "gap", str(ticket_id), "--wrong", page, "--file"])
    other_page = "https://docs.example.com/runners/register/"
    cli.invoke(app, ["docs", "gap", str(ticket_id), "--wrong", other_page, "--file"])
    assert "already filed" in same_page.stdout and "issues/2" in same_page.stdout
    assert len(fake_gitlab.issues) == 3 and other_page in fake_gitlab.issues[2]["description"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999"], "there is no ticket #999999"),
        (["{ticket}", "--wrong", "javascript:alert(1)"], "say which docs page is wrong"),
    ],
)
def test_gap_refuses_clearly(
    cli: CliRunner, desk: Desk, docs_indexed: Path, args: list[str], message: str
) -> None:
    ticket_id = make_ticket(desk, text=PIZZA)
    result = cli.invoke(app, ["docs", "gap", *(arg.format(ticket=ticket_id) for arg in args)])
    assert result.exit_code == 1
    assert message in result.stderr


def test_filing_without_gitlab_settings_says_which_are_missing(
    cli: CliRunner, desk: Desk, monkeypatch: pytest.MonkeyPatch, fake_gitlab: FakeGitLab
) -> None:
    ticket_id = make_ticket(desk, text=PIZZA)
    monkeypatch.delenv("DESK_GITLAB__TOKEN")
    monkeypatch.delenv("DESK_GITLAB__PROJECT")

    result = cli.invoke(app, ["docs", "gap", str(ticket_id), "--file"])

    assert result.exit_code == 1
    assert "needs DESK_GITLAB__PROJECT and DESK_GITLAB__TOKEN" in result.stderr
    assert "no docs index" in result.stderr  # and the draft still works without one
    assert fake_gitlab.issues == [] and _links(desk, ticket_id) == []
