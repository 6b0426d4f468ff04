"""The Slack client against the fake workspace: Retry-After honoured exactly, errors classified."""

from __future__ import annotations

from collections import deque

import pytest

from communitydesk.integrations.slack.client import MessageMark, SlackClient, SlackError, SlackNotConfigured
from communitydesk.settings.experts import SlackSettings
from tests.fakes.server import Sleeps
from tests.fakes.slack import TOKEN, FakeSlack


def client(slack: FakeSlack, sleeps: Sleeps, **settings: object) -> SlackClient:
    values = {"base_url": slack.base_url, "bot_token": TOKEN, **settings}
    return SlackClient(SlackSettings.model_validate(values), sleep=sleeps)


def test_a_429_waits_exactly_the_retry_after_each_time(slack: FakeSlack) -> None:
    sleeps = Sleeps()
    slack.throttle["chat.postMessage"] = deque([7, 3])
    posted = client(slack, sleeps).post_message("#g_xyz", "hello")
    assert sleeps == [7.0, 3.0]
    assert posted.channel_id == "C0GXYZ0001" and len(slack.posted("C0GXYZ0001")) == 1


def test_a_retry_after_too_long_to_wait_is_handed_back(slack: FakeSlack) -> None:
    sleeps = Sleeps()
    slack.throttle["chat.postMessage"] = deque([3600])
    with pytest.raises(SlackError) as raised:
        client(slack, sleeps, max_wait_seconds=60).post_message("#g_xyz", "hello")
    assert raised.value.retryable and raised.value.retry_after == 3600.0
    assert sleeps == [] and slack.posted("C0GXYZ0001") == []


def test_too_many_429s_in_a_row_are_retryable(slack: FakeSlack) -> None:
    slack.throttle["chat.postMessage"] = deque([1, 1, 1])
    with pytest.raises(SlackError) as raised:
        client(slack, Sleeps(), rate_limit_retries=2).post_message("#g_xyz", "hello")
    assert raised.value.retryable and raised.value.code == "ratelimited"
    assert len(slack.calls_of("chat.postMessage")) == 3


def test_errors_say_whether_trying_later_can_help(slack: FakeSlack) -> None:
    with pytest.raises(SlackError) as refused:
        client(slack, Sleeps()).post_message("#nowhere", "hello")
    assert refused.value.code == "channel_not_found" and not refused.value.retryable
    with pytest.raises(SlackError) as wrong_token:
        client(slack, Sleeps(), bot_token="xoxb-wrong").post_message("#g_xyz", "hello")
    assert wrong_token.value.code == "invalid_auth" and wrong_token.value.retryable
    with pytest.raises(SlackNotConfigured):
        client(slack, Sleeps(), bot_token="")


def test_marked_messages_are_found_again_and_names_are_read(slack: FakeSlack) -> None:
    slack_client = client(slack, Sleeps())
    mark = MessageMark("community_desk_outreach", {"outreach_id": 5, "ticket_id": 9})
    other = MessageMark("community_desk_outreach", {"outreach_id": 6, "ticket_id": 9})
    posted = slack_client.post_message("#g_xyz", "hello", mark=mark)
    assert slack_client.channel_id("#g_xyz") == "C0GXYZ0001"
    assert slack_client.find_marked("C0GXYZ0001", mark, oldest="0") == posted.ts
    assert slack_client.find_marked("C0GXYZ0001", other, oldest="0") is None
    assert slack_client.find_marked("C0GXYZ0001", mark, oldest=posted.ts) is None  # oldest is exclusive
    assert slack_client.user_name("U0EXPERT01") == "Sam the Runner Expert"
    assert slack_client.user_name("U0NOBODY01") is None
