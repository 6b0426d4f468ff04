"""History: similar answered tickets vote for their owner, and words every ticket uses make none similar."""

from __future__ import annotations

from dataclasses import replace

from communitydesk.routing.directory import PastAnswer, word_set
from communitydesk.routing.service import open_router
from communitydesk.runtime import Desk

GREETING = "Hello everyone, long time lurker here, thanks in advance for any pointers!"
TOPICS = {
    1: "the runner picks up no jobs with tags after registering it",
    2: "merge request approval rules ignore the code owners",
    3: "the container registry cleanup policy keeps old docker image tags",
    4: "masked CI/CD variables show up in the job log",
    5: "my personal access token expired and the API answers 401",
    6: "the merge train stops when a pipeline is skipped",
}


def test_only_answers_on_the_same_subject_count_as_similar(routing_desk: Desk) -> None:
    history = [
        PastAnswer(ticket, "elif" if ticket == 1 else "dana", "verify", None, word_set(f"{GREETING} {topic}"))
        for ticket, topic in TOPICS.items()
    ]
    with routing_desk.sessions() as session, open_router(session, routing_desk.settings) as router:
        routed = replace(router, history=history).route(
            f"{GREETING} Our runner does not pick up jobs with tags since we registered it again."
        )

    similar = [reason for reason in routed.reasons if "answered a similar ticket" in reason]
    # The greeting is in every past ticket: it says nothing about which one this text is like.
    assert len(similar) == 1 and "#1 " in similar[0], routed.reasons
