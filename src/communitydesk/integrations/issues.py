"""The interface to an issue tracker: file one issue, get its link back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class NewIssue:
    title: str
    description: str
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class FiledIssue:
    """An issue as the tracker created it."""

    iid: int
    web_url: str
    reference: str


class IssueTracker(Protocol):
    """Somewhere issues are filed (GitLab); raises `integrations.base.IntegrationError` subclasses."""

    def create_issue(self, issue: NewIssue) -> FiledIssue:
        """Create an issue and return it."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...
