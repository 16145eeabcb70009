"""The GitOps repo's history read back: every deploy and incident event that reached `main`, from one
`git log` pass (trailers, parents, committer dates, and which Application files each commit changed),
plus one batched `git cat-file` for the Application files of commits plat did not make."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from platform_cli import git
from platform_cli.delivery import application, trailers

LOG_FORMAT = "%x1e%H %P%x1f%ct%x1f%B%x1f"
APP_PATH = re.compile(r"^apps/([^/]+)/([^/]+)\.yaml$")


@dataclass(frozen=True)
class Deploy:
    id: str  # the commit that landed it on main (the merge commit of a pull request)
    service: str
    environment: str
    digest: str | None
    source: str | None  # the service commit; None when the Application names no commit (e.g. `main`)
    kind: str  # normal | hotfix | rollback
    undoes: str | None  # a rollback: the id of the deploy it undoes
    landed: int  # committer date of the landing commit, seconds since the epoch
    by_trailers: bool = True  # False: recognised from its diff (a deploy plat did not make)


@dataclass(frozen=True)
class IncidentEvent:
    id: str  # <service>#<n>
    service: str
    action: str  # open | resolve
    cause: str | None
    at: int
    commit: str
    title: str = ""  # from the subject `incident(<service>): open <id>: <title>` plat writes


@dataclass(frozen=True)
class History:
    head: str | None
    deploys: tuple[Deploy, ...] = ()  # in landing order
    incidents: tuple[IncidentEvent, ...] = ()
    _by_key: dict = field(default_factory=dict, compare=False, repr=False)

    def of(self, service: str, environment: str) -> tuple[Deploy, ...]:
        if not self._by_key:
            for d in self.deploys:
                self._by_key.setdefault((d.service, d.environment), []).append(d)
        return tuple(self._by_key.get((service, environment), ()))


@dataclass(frozen=True)
class _Last:
    """The last deploy of an environment: its id, the digest it pinned, and the one that ran before it."""

    id: str
    digest: str | None
    before: str | None


@dataclass
class _Commit:
    parents: list[str]
    date: int
    body: str
    apps: list[tuple[str, str, str, str]]  # (status, new blob, service, environment)


def read(repo: Path, ref: str = "refs/heads/main", paths: tuple[str, ...] = (), limit: int = 0) -> History:
    """The whole history; with `paths`, only the commits of `main`'s first-parent line that change them
    (one service's Applications and incidents: what a rollback needs, without reading everyone's), and
    with `limit` only the newest that many of those (git stops walking there)."""
    head = git.resolve(repo, ref)
    if head is None:
        return History(None)
    out = git.log(repo, [head], LOG_FORMAT, paths, limit=limit if paths else 0, first_parent=bool(paths), raw=True)
    commits = dict(_parse(out))
    if paths:
        order = list(reversed(commits))
        _merged_bodies(repo, commits)
    else:
        order = _first_parents(commits, head)
    chain = [(sha, _trailers(commits, sha)) for sha in order]
    plain = [sha for sha, tags in chain if not tags]
    blobs = git.cat_files(repo, sorted({a[1] for sha in plain for a in commits[sha].apps if a[0] in "AM"}))
    deploys: list[Deploy] = []
    incidents: list[IncidentEvent] = []
    state: dict[tuple[str, str], tuple[str | None, str | None] | str] = {}
    ran: dict[tuple[str, str], _Last] = {}
    for sha, tags in chain:
        commit = commits[sha]
        if trailers.INCIDENT in tags:
            incidents.append(_incident(sha, commit.date, tags, _subjects(commits, sha)))
            continue
        if trailers.DIGEST in tags and trailers.SERVICE in tags:
            found = [_tagged(sha, commit.date, tags)]
            state[(found[0].service, found[0].environment)] = (found[0].source, found[0].digest)
        else:
            found = list(_by_diff(sha, commit, blobs, state, ran))
        for deploy in found:
            last = ran.get((deploy.service, deploy.environment))
            ran[(deploy.service, deploy.environment)] = _Last(deploy.id, deploy.digest, last.digest if last else None)
        deploys.extend(found)
    return History(head, tuple(deploys), tuple(incidents))


def _parse(out: str) -> Iterator[tuple[str, _Commit]]:
    for record in out.split("\x1e")[1:]:
        ids, date, body, raw = record.split("\x1f", 3)
        sha, *parents = ids.split()
        apps = []
        for line in raw.splitlines():
            if not line.startswith(":"):
                continue
            meta, _, path = line.partition("\t")
            match = APP_PATH.match(path)
            if match:
                fields = meta.split()
                apps.append((fields[4][0], fields[3], match[1], match[2]))
        yield sha, _Commit(parents, int(date), body, apps)


def _merged_bodies(repo: Path, commits: dict[str, _Commit]) -> None:
    """The messages of the branches merged into `commits` (their trailers), in one git call."""
    wanted = [c.parents[1] for c in commits.values() if len(c.parents) > 1 and c.parents[1] not in commits]
    if not wanted:
        return
    out = git.log(repo, wanted, LOG_FORMAT, no_walk=True)
    commits.update(_parse(out))


def _first_parents(commits: dict[str, _Commit], head: str) -> list[str]:
    chain, sha = [], head
    while sha in commits:
        chain.append(sha)
        parents = commits[sha].parents
        sha = parents[0] if parents else ""
    chain.reverse()
    return chain


def _trailers(commits: dict[str, _Commit], sha: str) -> dict[str, str]:
    """A commit's own Plat trailers; for a merge without any, those of the branch it merged."""
    commit = commits[sha]
    tags = trailers.parse(commit.body)
    if not tags and len(commit.parents) > 1 and commit.parents[1] in commits:
        tags = trailers.parse(commits[commit.parents[1]].body)
    return tags


def _tagged(sha: str, date: int, tags: dict[str, str]) -> Deploy:
    kind = tags.get(trailers.KIND, "normal")
    return Deploy(
        id=sha,
        service=tags[trailers.SERVICE],
        environment=tags.get(trailers.ENVIRONMENT, ""),
        digest=tags.get(trailers.DIGEST),
        source=tags.get(trailers.SOURCE),
        kind=kind if kind in trailers.KINDS else "normal",
        undoes=tags.get(trailers.UNDOES),
        landed=date,
    )


def _incident(sha: str, date: int, tags: dict[str, str], subjects: list[str]) -> IncidentEvent:
    ident = tags[trailers.INCIDENT]
    service = tags.get(trailers.SERVICE) or ident.partition("#")[0]
    opening = f" open {ident}: "
    title = next((s.partition(opening)[2] for s in subjects if opening in s), "")
    return IncidentEvent(
        ident, service, tags.get(trailers.INCIDENT_ACTION, "open"), tags.get(trailers.CAUSE), date, sha, title.strip()
    )


def _subjects(commits: dict[str, _Commit], sha: str) -> list[str]:
    """The first lines of a commit and, for a merge, of the branch it merged (where its trailers are)."""
    commit = commits[sha]
    shas = [sha] + ([commit.parents[1]] if len(commit.parents) > 1 and commit.parents[1] in commits else [])
    return [commits[s].body.strip().partition("\n")[0] for s in shas]


def _by_diff(
    sha: str,
    commit: _Commit,
    blobs: dict[str, str | None],
    state: dict[tuple[str, str], tuple[str | None, str | None] | str],
    ran: dict[tuple[str, str], _Last],
) -> Iterator[Deploy]:
    """Deploys plat did not make: an Application edit that changes what it pins. A file added (a
    registration) sets what runs before any deploy; a file removed forgets it. One that puts back the
    digest that ran before the last deploy (a revert by hand) is a rollback undoing that deploy."""
    for status, blob, service, env in commit.apps:
        if status == "D":
            state.pop((service, env), None)
            ran.pop((service, env), None)
            continue
        before = state.get((service, env))
        if status == "A":  # parsed only if a later edit plat did not make needs to compare with it
            state[(service, env)] = blob
            continue
        if isinstance(before, str):
            before = application.pinned(blobs.get(before) or "")
        pins = application.pinned(blobs.get(blob) or "")
        state[(service, env)] = pins
        if before is not None and pins != before:
            source = pins[0] if pins[0] and application.SHA_RE.match(pins[0]) else None
            undoes = _undone(ran.get((service, env)), pins[1])
            kind = "rollback" if undoes else "normal"
            yield Deploy(sha, service, env, pins[1], source, kind, undoes, commit.date, by_trailers=False)


def _undone(last: _Last | None, digest: str | None) -> str | None:
    """The deploy a deploy of `digest` undoes: the last one, when `digest` is what ran before it (and not
    what it pinned itself); None otherwise."""
    if last is None or digest is None or last.before is None:
        return None
    return last.id if digest == last.before and digest != last.digest else None


def applications(repo: Path, head: str) -> dict[str, str]:
    """The Application files on `main` (path -> text), in two git calls."""
    names = git.entries(repo, head, ["apps"], recursive=True)
    texts = git.cat_files(repo, [f"{head}:{n}" for n in names if APP_PATH.match(n)])
    return {spec.partition(":")[2]: text for spec, text in texts.items() if text is not None}
