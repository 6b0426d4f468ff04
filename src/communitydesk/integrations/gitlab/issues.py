"""Docs issues filed in a GitLab project with python-gitlab; GitLab's refusals become clear errors."""

from __future__ import annotations

from typing import Any

import gitlab
import requests
from gitlab.exceptions import GitlabAuthenticationError, GitlabError

from communitydesk.integrations.base import (
    CredentialsError,
    IntegrationError,
    ProviderError,
    RateLimitedError,
)
from communitydesk.integrations.issues import FiledIssue, NewIssue
from communitydesk.settings.docs import GitLabSettings


class GitLabNotConfiguredError(IntegrationError):
    """The settings name no GitLab project or token, so nothing can be filed."""


class GitLabIssues:
    """An `IssueTracker` on one GitLab project."""

    def __init__(self, client: gitlab.Gitlab, project: str) -> None:
        self._client = client
        self._project = project

    def create_issue(self, issue: NewIssue) -> FiledIssue:
        """Create the issue in the project and return its iid and web URL."""
        payload: dict[str, Any] = {"title": issue.title, "description": issue.description}
        if issue.labels:
            payload["labels"] = ",".join(issue.labels)
        where = f"GitLab project {self._project!r} at {self._client.url}"
        try:
            project = self._client.projects.get(self._project, lazy=True)
            # A 429 is reported at once: python-gitlab would otherwise sleep for Retry-After (maybe an hour)
            # inside a web request. The advocate files again later; nothing was created.
            created = project.issues.create(payload, obey_rate_limit=False)
        except GitlabAuthenticationError as exc:
            raise CredentialsError(f"{where} refused the token (401); check DESK_GITLAB__TOKEN") from exc
        except GitlabError as exc:
            if exc.response_code == 429:
                raise RateLimitedError(
                    f"{where} is rate-limiting issue creation (429); try again later"
                ) from exc
            raise ProviderError(_refusal(where, exc)) from exc
        except requests.RequestException as exc:
            raise ProviderError(f"cannot reach {where}: {exc.__class__.__name__}") from exc
        attributes = created.attributes
        web_url, iid = attributes.get("web_url"), attributes.get("iid")
        if not isinstance(web_url, str) or not isinstance(iid, int):
            raise ProviderError(f"{where} answered without the issue's web_url and iid")
        references = attributes.get("references")
        reference = references.get("full") if isinstance(references, dict) else None
        return FiledIssue(iid=iid, web_url=web_url, reference=str(reference or f"#{iid}"))

    def close(self) -> None:
        """Close the HTTP session."""
        self._client.session.close()


def _refusal(where: str, exc: GitlabError) -> str:
    code = exc.response_code
    if code == 403:
        return f"{where} refused to create the issue (403): the token's user cannot create issues there"
    if code == 404:
        return f"{where} was not found (404): check DESK_GITLAB__PROJECT and that the token can see it"
    return f"{where} refused the issue ({code}): {exc.error_message}"


def build(settings: GitLabSettings) -> GitLabIssues:
    """Return the GitLab issue tracker of the settings, or refuse when the project or token is missing."""
    token = settings.token.get_secret_value()
    missing = [name for name, value in (("PROJECT", settings.project), ("TOKEN", token)) if not value]
    if missing or not settings.base_url:
        names = " and ".join(f"DESK_GITLAB__{name}" for name in missing or ["BASE_URL"])
        raise GitLabNotConfiguredError(f"filing docs issues needs {names} (see docs/settings.md)")
    client = gitlab.Gitlab(
        url=settings.base_url, private_token=token, timeout=settings.timeout_seconds, keep_base_url=True
    )
    return GitLabIssues(client, settings.project)
