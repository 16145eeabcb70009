"""Issues carrying a label (incidents: Four Keys' convention), read from GitHub with conditional
requests: the ETag of the first page is kept in the ETag cache (`github_etags`) with the issues of
every page, and a 304 — which costs no rate limit — means nothing changed. Pages are sorted by last
update, so any change reaches page one."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from platform_cli.forge import github_etags as etags
from platform_cli.forge.base import Issue
from platform_cli.forge.github_client import Api

PER_PAGE = 100


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
    )


def _epoch(stamp: str) -> int:
    return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
