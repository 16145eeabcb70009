"""The REST endpoints plat uses, with GitHub's response shapes and status codes."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from tests.github_double.state import Pull, Repo, Shared, State


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] | None = None


def not_found() -> Response:
    return Response(404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"})


def unprocessable(message: str, errors: list | None = None) -> Response:
    return Response(
        422,
        {
            "message": message,
            "errors": errors or [],
            "status": "422",
            "documentation_url": "https://docs.github.com/rest",
        },
    )


def conditional(answer: Response, headers: Any) -> Response:
    """GitHub's ETags: a 200 to a GET carries the ETag of its body; an If-None-Match naming that ETag
    is answered 304 with no body (and costs no rate limit on GitHub)."""
    if answer.status != 200:
        return answer
    etag = '"' + hashlib.sha256(json.dumps(answer.body, sort_keys=True).encode()).hexdigest() + '"'
    asked = {k.lower(): v for k, v in headers.items()}.get("if-none-match")
    if asked == etag:
        return Response(304, None, {"ETag": etag})
    return Response(200, answer.body, {**(answer.headers or {}), "ETag": etag})


class Rest:
    def __init__(self, state: State, base: str) -> None:
        self.state, self.base = state, base
        r = "(?P<org>[^/]+)/(?P<repo>[^/]+)"
        self.routes: list[tuple[str, re.Pattern, Callable[..., Response]]] = [
            (m, re.compile(p + "$"), h)
            for m, p, h in [
                ("POST", r"/app/installations/(?P<inst>\d+)/access_tokens", self.installation_token),
                ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<team>[^/]+)", self.get_team),
                ("PUT", rf"/orgs/(?P<owner>[^/]+)/teams/(?P<team>[^/]+)/repos/{r}", self.team_repo),
                ("POST", r"/orgs/(?P<org>[^/]+)/repos", self.create_repo),
                ("GET", rf"/repos/{r}", self.get_repo),
                ("DELETE", rf"/repos/{r}", self.delete_repo),
                ("PUT", rf"/repos/{r}/topics", self.topics),
                ("PUT", rf"/repos/{r}/branches/(?P<branch>.+)/protection", self.protect),
                ("PUT", rf"/repos/{r}/environments/(?P<env>[^/]+)", self.environment),
                ("GET", rf"/repos/{r}/actions/permissions/access", self.get_actions_access),
                ("PUT", rf"/repos/{r}/actions/permissions/access", self.set_actions_access),
                ("GET", rf"/repos/{r}/actions/(?P<scope>organization-)?(?P<kind>variables|secrets)", self.actions_list),
                ("DELETE", rf"/repos/{r}/git/refs/heads/(?P<branch>.+)", self.delete_ref),
                ("GET", rf"/repos/{r}/pulls", self.list_pulls),
                ("POST", rf"/repos/{r}/pulls", self.create_pull),
                ("GET", rf"/repos/{r}/pulls/(?P<number>\d+)", self.get_pull),
                ("PATCH", rf"/repos/{r}/pulls/(?P<number>\d+)", self.update_pull),
                ("PUT", rf"/repos/{r}/pulls/(?P<number>\d+)/merge", self.merge_pull),
                ("GET", rf"/repos/{r}/pulls/(?P<number>\d+)/files", self.pull_files),
                ("GET", rf"/repos/{r}/issues", self.list_issues),
                ("POST", rf"/repos/{r}/issues", self.create_issue),
                ("GET", rf"/repos/{r}/issues/(?P<number>\d+)", self.get_issue),
                ("PATCH", rf"/repos/{r}/issues/(?P<number>\d+)", self.update_issue),
                ("GET", rf"/repos/{r}/labels/(?P<label>[^/]+)", self.get_label),
                ("POST", rf"/repos/{r}/labels", self.create_label),
            ]
        ]

    def handle(self, method: str, path: str, query: str, body: Any, headers: Any = None) -> Response:
        if any(re.search(p, path) for p in self.state.forbidden):
            return Response(
                403,
                {
                    "message": "Resource not accessible by integration",
                    "status": "403",
                    "documentation_url": "https://docs.github.com/rest",
                },
            )
        for verb, pattern, handler in self.routes:
            match = pattern.match(path)
            if match and verb == method:
                with self.state.lock:
                    answer = handler(body=body or {}, query=parse_qs(query), headers=headers or {}, **match.groupdict())
                return conditional(answer, headers or {}) if method == "GET" else answer
        return not_found()

    # --- apps ---
    def installation_token(self, inst: str, **_: Any) -> Response:
        return Response(
            201,
            {
                "token": f"ghs_installation{inst}token",
                "expires_at": "2099-01-01T00:00:00Z",
                "permissions": {"administration": "write", "contents": "write"},
            },
        )

    # --- orgs and teams ---
    def get_team(self, org: str, team: str, **_: Any) -> Response:
        team_id = self.state.teams.get((org, team))
        if team_id is None:
            return not_found()
        return Response(
            200,
            {
                "id": team_id,
                "slug": team,
                "name": team,
                "privacy": "closed",
                "url": f"{self.base}/orgs/{org}/teams/{team}",
            },
        )

    def team_repo(self, owner: str, team: str, org: str, repo: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if (owner, team) not in self.state.teams or found is None:
            return not_found()
        found.teams[team] = body.get("permission", "push")
        return Response(204)

    def create_repo(self, org: str, body: dict, **_: Any) -> Response:
        if org not in self.state.orgs:
            return not_found()
        name = body.get("name", "")
        if self.state.repo(org, name) or (org, name) in self.state.foreign:
            return unprocessable(
                "Repository creation failed.",
                [
                    {
                        "resource": "Repository",
                        "code": "custom",
                        "field": "name",
                        "message": "name already exists on this account",
                    }
                ],
            )
        settings = {k: v for k, v in body.items() if k != "name"}
        return Response(201, self.repo_json(self.state.create(org, name, **settings)))

    # --- repos ---
    def get_repo(self, org: str, repo: str, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        return Response(200, self.repo_json(found)) if found else not_found()

    def delete_repo(self, org: str, repo: str, **_: Any) -> Response:
        if not self.state.repo(org, repo):
            return not_found()
        self.state.delete(org, repo)
        return Response(204)

    def topics(self, org: str, repo: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        found.topics = list(body.get("names", []))
        return Response(200, {"names": found.topics})

    def protect(self, org: str, repo: str, branch: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        if branch not in found.branches():
            return Response(404, {"message": "Branch not found", "status": "404"})
        found.protection[branch] = body
        return Response(200, {"url": f"{self.base}/repos/{org}/{repo}/branches/{branch}/protection", **body})

    def environment(self, org: str, repo: str, env: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        found.environments[env] = body
        rules = [{"type": "required_reviewers", "reviewers": body["reviewers"]}] if body.get("reviewers") else []
        return Response(200, {"id": next(iter([len(found.environments)])), "name": env, "protection_rules": rules})

    # --- Actions ---
    def get_actions_access(self, org: str, repo: str, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        return Response(200, {"access_level": found.actions_access}) if found else not_found()

    def set_actions_access(self, org: str, repo: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        level = body.get("access_level")
        if level not in ("none", "user", "organization", "enterprise"):
            return unprocessable(
                "Validation Failed", [{"resource": "ActionsWorkflowAccess", "field": "access_level", "code": "invalid"}]
            )
        found.actions_access = level
        return Response(204)

    def actions_list(self, org: str, repo: str, kind: str, query: dict, scope: str | None = None, **_: Any) -> Response:
        """Names (and values of variables) of the repo's own, or of the org's shared with it."""
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        items = self._actions_items(found, kind, bool(scope))
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["30"])[0])
        if per_page > (30 if kind == "variables" else 100):
            per_page = 30 if kind == "variables" else 100  # GitHub caps pages silently
        chunk = items[(page - 1) * per_page : page * per_page]
        return Response(200, {"total_count": len(items), kind: chunk})

    def _actions_items(self, repo: Repo, kind: str, shared: bool) -> list[dict]:
        stamp = {"created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        if shared:
            pool: dict[tuple[str, str], Shared] = (
                self.state.org_variables if kind == "variables" else self.state.org_secrets
            )
            names = sorted(n for (o, n), s in pool.items() if o == repo.org and s.reaches(repo))
            values = {n: pool[(repo.org, n)].value for n in names}
        else:
            names = sorted(repo.variables if kind == "variables" else repo.secrets)
            values = dict(repo.variables)
        if kind == "variables":
            return [{"name": n, "value": values.get(n, ""), **stamp} for n in names]
        return [{"name": n, **stamp} for n in names]

    def delete_ref(self, org: str, repo: str, branch: str, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        if branch not in found.branches():
            return unprocessable("Reference does not exist")
        from tests.github_double.state import git

        git(found.path, "update-ref", "-d", f"refs/heads/{branch}")
        for pull in found.pulls:  # GitHub closes the pull requests of a deleted head branch
            if pull.head == branch and pull.state == "open":
                pull.state = "closed"
        return Response(204)

    # --- pull requests ---
    def list_pulls(self, org: str, repo: str, query: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        state = query.get("state", ["open"])[0]
        head = query.get("head", [None])[0]
        pulls = [
            p
            for p in found.pulls
            if (state == "all" or p.state == state) and (head is None or f"{org}:{p.head}" == head)
        ]
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["30"])[0])
        chunk = sorted(pulls, key=lambda p: -p.number)[(page - 1) * per_page : page * per_page]
        return Response(200, [self.pull_json(found, p) for p in chunk])

    def create_pull(self, org: str, repo: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        head, base = body.get("head", "").split(":")[-1], body.get("base", "")
        branches = found.branches()
        if head not in branches or base not in branches:
            return unprocessable(
                "Validation Failed",
                [{"resource": "PullRequest", "field": "head" if head not in branches else "base", "code": "invalid"}],
            )
        if any(p.head == head and p.base == base and p.state == "open" for p in found.pulls):
            return unprocessable(
                "Validation Failed",
                [
                    {
                        "resource": "PullRequest",
                        "code": "custom",
                        "message": f"A pull request already exists for {org}:{head}.",
                    }
                ],
            )
        number = max([p.number for p in found.pulls] + [i["number"] for i in found.issues], default=0) + 1
        pull = Pull(number=number, title=body.get("title", ""), body=body.get("body") or "", head=head, base=base)
        found.pulls.append(pull)
        return Response(201, self.pull_json(found, pull))

    def get_pull(self, org: str, repo: str, number: str, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        pull = self._pull(found, number)
        return Response(200, self.pull_json(found, pull)) if pull else not_found()

    def update_pull(self, org: str, repo: str, number: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        pull = self._pull(found, number)
        if not pull:
            return not_found()
        for key in ("title", "body", "state"):
            if key in body:
                setattr(pull, key, body[key])
        return Response(200, self.pull_json(found, pull))

    def pull_files(self, org: str, repo: str, number: str, query: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        pull = self._pull(found, number)
        if not pull:
            return not_found()
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["30"])[0])
        return Response(200, self.state.pull_files(found, pull)[(page - 1) * per_page : page * per_page])

    def merge_pull(self, org: str, repo: str, number: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        pull = self._pull(found, number)
        if not pull:
            return not_found()
        if pull.state != "open":
            return Response(405, {"message": "Pull Request is not mergeable", "status": "405"})
        if body.get("merge_method", "merge") != "merge":
            return Response(405, {"message": "Only merge commits are allowed on this repository", "status": "405"})
        sha = self.state.merge(found, pull)
        if sha is None:
            return Response(405, {"message": "Pull Request is not mergeable", "status": "405"})
        pull.state, pull.merged, pull.merge_sha = "closed", True, sha
        return Response(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})

    # --- shapes ---
    # --- issues (every GET's ETag is answered in `conditional`) ---
    def list_issues(self, org: str, repo: str, query: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        state = query.get("state", ["open"])[0]
        labels = {lab for lab in query.get("labels", [""])[0].split(",") if lab}
        issues = [
            i
            for i in found.issues
            if (state == "all" or i["state"] == state) and labels <= {lab["name"] for lab in i["labels"]}
        ]
        issues.sort(key=lambda i: i["updated_at"], reverse=True)
        page, per_page = int(query.get("page", ["1"])[0]), int(query.get("per_page", ["30"])[0])
        return Response(200, issues[(page - 1) * per_page : page * per_page])

    def create_issue(self, org: str, repo: str, body: dict, **_: Any) -> Response:
        """Numbered after the repo's issues and pull requests (GitHub numbers both in one series); a label
        the repo lacks is created with it, as GitHub does for a token with push access."""
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        if found.settings.get("has_issues") is False:
            return Response(410, {"message": "Issues are disabled for this repo", "status": "410"})
        if not str(body.get("title") or "").strip():
            return unprocessable(
                "Validation Failed", [{"resource": "Issue", "field": "title", "code": "missing_field"}]
            )
        labels = [self._label(found, name) for name in body.get("labels") or []]
        number = max([i["number"] for i in found.issues] + [p.number for p in found.pulls], default=0) + 1
        now = self.state.now()
        web = self.base.split("/api/v3")[0]
        issue = {
            "id": 70000 + number,
            "number": number,
            "title": body["title"],
            "body": body.get("body") or None,
            "state": "open",
            "state_reason": None,
            "labels": labels,
            "created_at": now,
            "updated_at": now,
            "closed_at": None,
            "html_url": f"{web}/{org}/{repo}/issues/{number}",
            "url": f"{self.base}/repos/{org}/{repo}/issues/{number}",
        }
        found.issues.append(issue)
        return Response(201, issue)

    def get_issue(self, org: str, repo: str, number: str, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        issue = next((i for i in found.issues if i["number"] == int(number)), None) if found else None
        return Response(200, issue) if issue else not_found()

    def update_issue(self, org: str, repo: str, number: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        issue = next((i for i in found.issues if i["number"] == int(number)), None) if found else None
        if not issue:
            return not_found()
        now = self.state.now()
        if body.get("state") in ("open", "closed") and body["state"] != issue["state"]:
            issue["state"], issue["closed_at"] = body["state"], now if body["state"] == "closed" else None
            issue["state_reason"] = body.get("state_reason") if body["state"] == "closed" else "reopened"
        for key in ("title", "body"):
            if key in body:
                issue[key] = body[key]
        issue["updated_at"] = now
        return Response(200, issue)

    def get_label(self, org: str, repo: str, label: str, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        return Response(200, found.labels[label]) if found and label in found.labels else not_found()

    def create_label(self, org: str, repo: str, body: dict, **_: Any) -> Response:
        found = self.state.repo(org, repo)
        if not found:
            return not_found()
        if body.get("name") in found.labels:
            return unprocessable(
                "Validation Failed", [{"resource": "Label", "code": "already_exists", "field": "name"}]
            )
        return Response(
            201, self._label(found, body.get("name", ""), body.get("color", "ededed"), body.get("description"))
        )

    def _label(self, repo: Repo, name: str, color: str = "ededed", description: str | None = None) -> dict:
        if name not in repo.labels:
            repo.labels[name] = {
                "id": 80000 + len(repo.labels),
                "name": name,
                "color": color,
                "description": description,
                "default": False,
                "url": f"{self.base}/repos/{repo.org}/{repo.name}/labels/{name}",
            }
        return repo.labels[name]

    def _pull(self, repo: Repo | None, number: str) -> Pull | None:
        return next((p for p in repo.pulls if p.number == int(number)), None) if repo else None

    def repo_json(self, repo: Repo) -> dict:
        web = self.base.split("/api/v3")[0]
        return {
            "id": repo.id,
            "node_id": f"R_{repo.id}",
            "name": repo.name,
            "full_name": f"{repo.org}/{repo.name}",
            "private": repo.private,
            "visibility": "private" if repo.private else "public",
            "owner": {"login": repo.org, "id": self.state.orgs[repo.org], "type": "Organization"},
            "html_url": f"{web}/{repo.org}/{repo.name}",
            "description": repo.description or None,
            "url": f"{self.base}/repos/{repo.org}/{repo.name}",
            "clone_url": f"{web}/{repo.org}/{repo.name}.git",
            "default_branch": "main",
            "topics": repo.topics,
            "archived": False,
            "allow_squash_merge": repo.settings.get("allow_squash_merge", True),
            "allow_merge_commit": repo.settings.get("allow_merge_commit", True),
            "allow_rebase_merge": repo.settings.get("allow_rebase_merge", True),
            "delete_branch_on_merge": repo.settings.get("delete_branch_on_merge", False),
            "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
        }

    def pull_json(self, repo: Repo, pull: Pull) -> dict:
        web = self.base.split("/api/v3")[0]
        sha = repo.branches().get(pull.head)
        return {
            "id": 50000 + pull.number,
            "number": pull.number,
            "state": pull.state,
            "title": pull.title,
            "body": pull.body or None,
            "merged": pull.merged,
            "merged_at": "2026-01-01T00:00:00Z" if pull.merged else None,
            "merge_commit_sha": pull.merge_sha,
            "draft": False,
            "html_url": f"{web}/{repo.org}/{repo.name}/pull/{pull.number}",
            "url": f"{self.base}/repos/{repo.org}/{repo.name}/pulls/{pull.number}",
            "head": {"label": f"{repo.org}:{pull.head}", "ref": pull.head, "sha": sha},
            "base": {"label": f"{repo.org}:{pull.base}", "ref": pull.base},
        }
