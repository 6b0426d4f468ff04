"""Reddit against a local OAuth + listing server replaying recorded payloads."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from communitydesk.config import Settings
from communitydesk.intake import service as intake
from communitydesk.intake.flows import PollReport, poll_source
from communitydesk.intake.watch import rules_for
from communitydesk.integrations.base import decode_cursor
from communitydesk.integrations.registry import open_source
from communitydesk.mentions.models import IntakeReject, Mention
from communitydesk.runtime import Desk
from communitydesk.settings.intake import RedditSettings, WatchSettings
from tests.fakes.reddit import FakeReddit, subreddit_posts, thread_comments
from tests.fakes.server import Sleeps

SINCE = datetime(2010, 1, 1, tzinfo=UTC)


@pytest.fixture
def fake(httpserver: HTTPServer) -> Iterator[FakeReddit]:
    posts = subreddit_posts()
    security = [
        post for post in posts if "security" in (post["data"]["title"] + post["data"]["selftext"]).lower()
    ]
    broken = copy.deepcopy(thread_comments()[0])
    broken["data"].update(name="t1_broken", id="broken", created_utc="yesterday")
    listings = {
        "/r/netsec/new": posts,
        "/r/netsec/comments": [*thread_comments(), broken],
        "/search": security,
    }
    yield FakeReddit(httpserver, listings=listings).install()


def reddit_settings(desk: Desk, fake: FakeReddit, **section: object) -> Settings:
    values = {
        "enabled": True,
        "base_url": fake.base_url,
        "token_url": fake.token_url,
        "client_id": fake.client_id,
        "client_secret": SecretStr(fake.client_secret),
        "username": fake.username,
        "password": SecretStr(fake.password),
        "subreddits": ["netsec"],
        "page_size": 10,
        **section,
    }
    return desk.settings.model_copy(
        update={"reddit": RedditSettings(**values), "watch": WatchSettings(keywords=["security", "love"])}
    )


def poll(desk: Desk, settings: Settings, sleeps: Sleeps | None = None, **kwargs: object) -> PollReport:
    with open_source("reddit", settings, sleep=sleeps if sleeps is not None else Sleeps()) as source:
        return poll_source(desk, source, watch=rules_for(settings, "reddit"), **kwargs)  # type: ignore[arg-type]


def test_listings_search_a_429_and_a_malformed_comment_then_a_second_run_adds_nothing(
    desk: Desk, fake: FakeReddit
) -> None:
    comments = sorted(thread_comments()[:-1], key=lambda c: -c["data"]["created_utc"])
    fake.throttle = {f"/r/netsec/comments?after={comments[9]['data']['name']}"}
    settings = reddit_settings(desk, fake)
    sleeps = Sleeps()

    first = poll(desk, settings, sleeps, since=SINCE)

    assert first.error is None
    # 27 posts + 38 comments, a 'more' stub and the broken one + the 3 search hits, twice. New: 3 posts
    # naming 'security', 3 link posts to security.* hosts and 7 comments naming 'love'.
    assert (first.fetched, first.new, first.duplicate, first.rejected) == (73, 13, 6, 1)
    assert first.skipped == 53  # posts and comments naming no keyword, and the 'more' stub
    assert sleeps == [7.0]  # X-Ratelimit-Reset of the 429
    with desk.sessions() as session:
        comment = session.scalars(select(Mention).where(Mention.external_id == "t1_c9ftsjg")).one_or_none()
        loved = session.scalars(select(Mention).where(Mention.text.ilike("%love%"))).all()
        reject = session.scalars(select(IntakeReject)).one()
        cursor = decode_cursor(intake.get_cursor(session, source="reddit", scope="r/netsec/new"))
    assert comment is None or comment.root_external_id == "t3_1cebxh"
    one = loved[0]
    assert one.source == "reddit" and one.channel == "reddit"
    assert one.url is not None and one.url.startswith("https://www.reddit.com/r/self/comments/1cebxh/_/")
    assert one.parent_external_id is not None and one.root_external_id == "t3_1cebxh"
    assert "&lt;" not in one.text and "<p>" not in one.text
    assert reject.location == "reddit:r/netsec/comments:id=broken"
    assert "created_utc must be a number" in reject.reason
    assert cursor["mark"] == max(post["data"]["created_utc"] for post in subreddit_posts())

    second = poll(desk, settings)
    assert (second.new, second.rejected, second.error) == (0, 0, None)


def test_recorded_post_normalizes(desk: Desk, fake: FakeReddit) -> None:
    settings = reddit_settings(desk, fake, search=False)
    poll(desk, settings, since=SINCE, scopes=["r/netsec/new"])

    with desk.sessions() as session:
        post = session.scalars(select(Mention).where(Mention.external_id == "t3_552rz1")).one()
    assert post.title == "/r/netsec's Q4 2016 Information Security Hiring Thread"
    assert (
        post.url
        == "https://www.reddit.com/r/netsec/comments/552rz1/rnetsecs_q4_2016_information_security_hiring/"
    )
    assert post.created_at == datetime.fromtimestamp(1475163718, UTC)
    assert "[moderator mail](https://www.reddit.com/message/compose?to=/r/netsec)" in post.text


def test_a_wrong_password_is_a_clear_credentials_error(desk: Desk, fake: FakeReddit) -> None:
    settings = reddit_settings(desk, fake, password=SecretStr("wrong"))

    report = poll(desk, settings, since=SINCE)

    assert report.error is not None and "invalid_grant" in report.error
    assert "DESK_REDDIT__PASSWORD" in report.error
