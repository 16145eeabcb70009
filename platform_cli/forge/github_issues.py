"""GitHub issues, where incidents live on GitHub (Four Keys' convention: issues labelled `incident`).

Reading: the issues carrying a label, with conditional requests: the ETag of the first page is kept in
the ETag cache (`github_etags`) with the issues of every page, and a 304 — which costs no rate limit —
means nothing changed. Pages are sorted by last update, so any change reaches page one.
Writing (`Tracker`, the forge's `IssueTracker`): file an issue with its label (the label created first
when the repo lacks it), read one, close one.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from platform_cli.errors import ForgeError
from platform_cli.forge import github_etags as etags
from platform_cli.forge.base import Issue
from platform_cli.forge.github_client import Api, ApiError

PER_PAGE = 100
LABEL_COLOR = "b60205"  # GitHub's own red


class Tracker:
    """A GitHub's issue tracker. `etags`: the ETag cache's folder (None: every read unconditional)."""

    def __init__(self, api: Api, etags_folder: Path | None) -> None:
        self.api, self.etags = api, etags_folder

    def open_issue(self, org: str, repo: str, title: str, body: str, label: str) -> Issue:
        self._ensure_label(org, repo, label)
        _, data = self._write("POST", org, repo, "/issues", {"title": title, "body": body, "labels": [label]})
        return _issue(data)

    def issue(self, org: str, repo: str, number: int) -> Issue | None:
        cache = None if self.etags is None else self.etags / org / f"{repo}.issue-{number}.json"
        try:
            _, data = self.api.call("GET", f"/repos/{org}/{repo}/issues/{number}", cache=cache)
        except ApiError as exc:
            if exc.status not in (404, 410):  # 410: the repo's issues are disabled
                raise
            return None
        return None if "pull_request" in data else _issue(data)

    def close_issue(self, org: str, repo: str, number: int) -> Issue:
        _, data = self._write("PATCH", org, repo, f"/issues/{number}", {"state": "closed", "state_reason": "completed"})
        return _issue(data)

    def _ensure_label(self, org: str, repo: str, label: str) -> None:
        """Asked with a conditional request (a 304 once it exists costs nothing); created when missing."""
        cache = None if self.etags is None else self.etags / org / f"{repo}.label-{label}.json"
        try:
            self.api.call("GET", f"/repos/{org}/{repo}/labels/{label}", cache=cache)
            return
        except ApiError as exc:
            if exc.status != 404:
                raise
        description = "An incident: plat dora counts it (root cause: <deploy id> names the deploy that caused it)"
        try:
            self._write("POST", org, repo, "/labels", {"name": label, "color": LABEL_COLOR, "description": description})
        except ApiError as exc:
            if exc.status != 422:  # created meanwhile by someone else: there it is
                raise

    def _write(self, verb: str, org: str, repo: str, path: str, body: dict[str, Any]) -> tuple[dict, Any]:
        try:
            return self.api.call(verb, f"/repos/{org}/{repo}{path}", body)
        except ApiError as exc:
            if exc.status == 410:
                raise ForgeError(
                    f"issues are disabled in {org}/{repo} on GitHub",
                    hint="enable Issues in the repo's settings (General > Features): incidents are filed there",
                ) from None
            if exc.status == 404:
                raise ForgeError(
                    f"repo {org}/{repo} does not exist on GitHub (or the token cannot write its issues)",
                    hint="check the service name; the token needs the repo scope (an App: Issues write)",
                ) from None
            raise


def labelled(api: Api, org: str, repo: str, label: str, cache: Path) -> tuple[Issue, ...]:
    saved = etags.load(cache)
    params = {"labels": label, "state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
    headers, first = api.call(
        "GET",
        f"/repos/{org}/{repo}/issues",
        params={**params, "page": 1},
        headers=etags.if_none_match(saved),
    )
    if first is None and saved:
        return tuple(_issue(item) for item in saved.data)
    items, page, batch = list(first or []), 1, first or []
    while len(batch) == PER_PAGE:
        page += 1
        _, batch = api.call("GET", f"/repos/{org}/{repo}/issues", params={**params, "page": page})
        items += batch or []
    issues = [i for i in items if "pull_request" not in i]  # the issues endpoint lists pull requests too
    etag = etags.etag_of(headers)
    if etag:
        etags.save(cache, etag, issues)
    return tuple(_issue(item) for item in issues)


def _issue(item: dict[str, Any]) -> Issue:
    return Issue(
        number=int(item["number"]),
        title=item.get("title") or "",
        body=item.get("body") or "",
        opened=_epoch(item["created_at"]),
        closed=_epoch(item["closed_at"]) if item.get("closed_at") else None,
        labels=tuple(str(label.get("name", "")) for label in item.get("labels") or () if isinstance(label, dict)),
        url=item.get("html_url") or "",
    )


def _epoch(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
