"""A local GitLab speaking REST API v4 for issue creation: PRIVATE-TOKEN auth and GitLab's error shapes."""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

JSON_TYPE = "application/json"
_ISSUES = re.compile(r"^/api/v4/projects/(?P<project>[^/]+)/issues$")


@dataclass
class FakeGitLab:
    """Projects by id and path; tokens that may create issues, and tokens that may only read."""

    server: HTTPServer
    project_id: int = 278964
    project_path: str = "gitlab-org/gitlab"
    token: str = "glpat-docs-desk"
    read_only_tokens: set[str] = field(default_factory=lambda: {"glpat-read-only"})
    throttled: int = 0  # answer this many requests with GitLab's 429 first
    issues: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self) -> FakeGitLab:
        # The raw path keeps %2F in "gitlab-org%2Fgitlab", as GitLab expects a URL-encoded project path.
        self.server.expect_request(
            re.compile(r"^/api/v4/projects/.+/issues$"), method="POST"
        ).respond_with_handler(self._create_issue)
        return self

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def _create_issue(self, request: Request) -> Response:
        raw_path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        match = _ISSUES.match(raw_path.split("?", 1)[0])
        project = unquote(match.group("project")) if match else ""
        token = request.headers.get("PRIVATE-TOKEN", "")
        with self._lock:
            self.requests.append({"project": project, "token": token, "content_type": request.content_type})
        with self._lock:
            if self.throttled:
                self.throttled -= 1
                # Rack::Attack's answer on GitLab: plain text, with the wait in Retry-After.
                return Response(
                    "Retry later\n", status=429, headers={"Retry-After": "3600"}, content_type="text/plain"
                )
        if token != self.token and token not in self.read_only_tokens:
            return _error(401, {"message": "401 Unauthorized"})
        if project not in (str(self.project_id), self.project_path):
            return _error(404, {"message": "404 Project Not Found"})
        if token in self.read_only_tokens:
            return _error(403, {"message": "403 Forbidden"})
        params = _params(request)
        title = params.get("title")
        if not title:
            return _error(400, {"error": "title is missing"})
        if len(title) > 255:
            return _error(400, {"message": {"title": ["is too long (maximum is 255 characters)"]}})
        with self._lock:
            issue = self._issue(len(self.issues) + 1, params)
            self.issues.append(issue)
        return Response(json.dumps(issue), status=201, content_type=JSON_TYPE)

    def _issue(self, iid: int, params: dict[str, Any]) -> dict[str, Any]:
        now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC).isoformat().replace("+00:00", "Z")
        labels = params.get("labels") or ""
        label_list = labels if isinstance(labels, list) else [x for x in str(labels).split(",") if x]
        web = f"https://gitlab.example.com/{self.project_path}/-/issues/{iid}"
        author = {
            "id": 4242,
            "username": "community-desk-bot",
            "name": "Community Desk",
            "state": "active",
            "locked": False,
            "avatar_url": None,
            "web_url": "https://gitlab.example.com/community-desk-bot",
        }
        return {
            "id": 150_000_000 + iid,
            "iid": iid,
            "project_id": self.project_id,
            "title": params["title"],
            "description": params.get("description"),
            "state": "opened",
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "closed_by": None,
            "labels": label_list,
            "milestone": None,
            "assignees": [],
            "author": author,
            "type": "ISSUE",
            "assignee": None,
            "user_notes_count": 0,
            "merge_requests_count": 0,
            "upvotes": 0,
            "downvotes": 0,
            "due_date": None,
            "confidential": bool(params.get("confidential", False)),
            "discussion_locked": None,
            "issue_type": "issue",
            "web_url": web,
            "time_stats": {
                "time_estimate": 0,
                "total_time_spent": 0,
                "human_time_estimate": None,
                "human_total_time_spent": None,
            },
            "task_completion_status": {"count": 0, "completed_count": 0},
            "blocking_issues_count": 0,
            "has_tasks": True,
            "task_status": "0 of 0 checklist items completed",
            "_links": {
                "self": f"{self.base_url}/api/v4/projects/{self.project_id}/issues/{iid}",
                "notes": f"{self.base_url}/api/v4/projects/{self.project_id}/issues/{iid}/notes",
                "award_emoji": f"{self.base_url}/api/v4/projects/{self.project_id}/issues/{iid}/award_emoji",
                "project": f"{self.base_url}/api/v4/projects/{self.project_id}",
                "closed_as_duplicate_of": None,
            },
            "references": {"short": f"#{iid}", "relative": f"#{iid}", "full": f"{self.project_path}#{iid}"},
            "severity": "UNKNOWN",
            "subscribed": True,
            "moved_to_id": None,
            "imported": False,
            "imported_from": "none",
            "service_desk_reply_to": None,
        }


def _params(request: Request) -> dict[str, Any]:
    """Read the parameters as GitLab does: a JSON body or a form."""
    if request.content_type and request.content_type.startswith("application/json"):
        body = request.get_json(silent=True)
        return body if isinstance(body, dict) else {}
    return {key: request.form[key] for key in request.form}


def _error(code: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=code, content_type=JSON_TYPE)
