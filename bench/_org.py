"""A synthetic organisation on the local forge for the delivery benchmarks, written with `git fast-import`
(one process per repo, never one per commit): service repos with a year of commits, and a GitOps repo
whose `main` holds every deploy (plat's trailers), some rollbacks and incidents."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from platform_cli.delivery import application, trailers
from platform_cli.gitops import registration

ORG = "bench"
YEAR = 365 * 86400


@dataclass(frozen=True)
class Shape:
    services: int = 200
    commits: int = 1000  # per service
    deploys: int = 200  # production deploys per service
    start: int = 1764547200  # 2025-12-01T00:00:00Z


def digest(service: str, n: int) -> str:
    return "sha256:" + hashlib.sha256(f"{service}-{n}".encode()).hexdigest()


def build(forge_root: Path, shape: Shape) -> None:
    org = forge_root / ORG
    org.mkdir(parents=True, exist_ok=True)
    sources: dict[str, list[tuple[str, int]]] = {}
    for i in range(shape.services):
        name = f"svc-{i:03d}"
        sources[name] = _service_repo(org / f"{name}.git", name, shape)
    _gitops(org / "gitops.git", sources, shape, forge_root)


def _init(path: Path) -> None:
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(path)], check=True)


def _fast_import(path: Path, stream: bytes) -> dict[str, str]:
    marks = path / "marks"
    subprocess.run(["git", "fast-import", "--quiet", f"--export-marks={marks}"], cwd=path, input=stream, check=True)
    out = dict(line.split() for line in marks.read_text().splitlines())
    marks.unlink()
    return out


def _service_repo(path: Path, name: str, shape: Shape) -> list[tuple[str, int]]:
    """`commits` commits spread over the year; returns [(sha, committer date)]."""
    _init(path)
    step = YEAR // shape.commits
    parts, dates = [], []
    for n in range(1, shape.commits + 1):
        when = shape.start + n * step - 3600
        dates.append(when)
        data = f"{name} change {n}\n".encode()
        msg = f"change {n}".encode()
        parts.append(b"commit refs/heads/main\nmark :%d\n" % n)
        parts.append(b"committer dev <dev@example.test> %d +0100\n" % when)
        parts.append(b"data %d\n%s\n" % (len(msg), msg))
        if n > 1:
            parts.append(b"from :%d\n" % (n - 1))
        parts.append(b"M 100644 inline src/app.txt\ndata %d\n%s\n" % (len(data), data))
    marks = _fast_import(path, b"".join(parts))
    return [(marks[f":{n}"], dates[n - 1]) for n in range(1, shape.commits + 1)]


def _events(sources: dict[str, list[tuple[str, int]]], shape: Shape) -> list[tuple[int, str, dict]]:
    """(landing, service, what) for every deploy, rollback and incident event, in landing order."""
    events = []
    per = shape.commits // shape.deploys
    for service, commits in sources.items():
        for n in range(shape.deploys):
            sha, when = commits[(n + 1) * per - 1]
            landed = when + 2 * 3600
            kind = "hotfix" if n % 17 == 16 else "normal"
            events.append((landed, service, {"deploy": n, "source": sha, "kind": kind}))
            if n % 20 == 19:  # rolled back 30 minutes later, to the deploy before
                events.append((landed + 1800, service, {"rollback": n, "source": commits[n * per - 1][0]}))
            if n % 50 == 49:  # an incident caused by it, resolved after two hours
                events.append((landed + 600, service, {"incident": n, "action": "open"}))
                events.append((landed + 7800, service, {"incident": n, "action": "resolve"}))
    return sorted(events, key=lambda e: (e[0], e[1]))


def _gitops(path: Path, sources: dict[str, list[tuple[str, int]]], shape: Shape, forge_root: Path) -> None:
    """One fast-import stream; `get-mark` hands back the sha of each deploy a later rollback or incident names."""
    _init(path)
    files: dict[str, str] = {}
    for service in sources:
        team = f"team-{int(service[4:]) % 20:02d}"
        repo_url = str(forge_root / ORG / f"{service}.git")
        reg = registration.Registration(service, ORG, team, service, repo_url, ("staging", "production"))
        files.update(registration.registration_files(reg))
    proc = subprocess.Popen(["git", "fast-import", "--quiet"], cwd=path, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin and proc.stdout
    writer = _Writer(proc.stdin, proc.stdout)
    writer.commit(shape.start - 86400, "Register the services\n", files)
    ids: dict[tuple[str, int], str] = {}
    named = {(s, n) for s in sources for n in range(shape.deploys) if n % 20 == 19 or n % 50 == 49}
    for landed, service, what in _events(sources, shape):
        message, changed = _event(service, what, ids, files)
        writer.commit(landed, message, changed)
        if "deploy" in what and (service, what["deploy"]) in named:
            ids[(service, what["deploy"])] = writer.sha()
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")


class _Writer:
    def __init__(self, stdin, stdout) -> None:
        self.stdin, self.stdout, self.mark = stdin, stdout, 0

    def commit(self, when: int, message: str, files: dict[str, str]) -> None:
        self.mark += 1
        body = message.encode()
        parts = [b"commit refs/heads/main\nmark :%d\n" % self.mark]
        parts.append(b"committer plat <plat@localhost> %d +0000\ndata %d\n%s\n" % (when, len(body), body))
        if self.mark > 1:
            parts.append(b"from :%d\n" % (self.mark - 1))
        for name, text in files.items():
            data = text.encode()
            parts.append(b"M 100644 inline %s\ndata %d\n%s\n" % (name.encode(), len(data), data))
        self.stdin.write(b"".join(parts) + b"\n")

    def sha(self) -> str:
        self.stdin.write(b"get-mark :%d\n" % self.mark)
        self.stdin.flush()
        return self.stdout.readline().decode().strip()


def _event(service: str, what: dict, ids: dict, files: dict[str, str]) -> tuple[str, dict[str, str]]:
    path = application.path(service, "production")
    if "incident" in what:
        n, action = what["incident"], what["action"]
        ident = f"{service}#{n // 50 + 1}"
        tags = {trailers.SERVICE: service, trailers.INCIDENT: ident, trailers.INCIDENT_ACTION: action}
        if action == "open":
            tags[trailers.CAUSE] = ids[(service, n)]
        record = f"id: {ident}\nstate: {'open' if action == 'open' else 'resolved'}\n"
        return trailers.message(f"incident({service}): {action} {ident}", tags), {
            f"incidents/{service}/{n // 50 + 1}.yaml": record
        }
    if "rollback" in what:
        n = what["rollback"]
        kind, image, undoes = "rollback", digest(service, n - 1), ids[(service, n)]
    else:
        n = what["deploy"]
        kind, image, undoes = what["kind"], digest(service, n), None
    files[path] = _pin(files[path], what["source"], image)
    tags = {
        trailers.SERVICE: service,
        trailers.ENVIRONMENT: "production",
        trailers.DIGEST: image,
        trailers.SOURCE: what["source"],
        trailers.KIND: kind,
        trailers.UNDOES: undoes,
    }
    verb = "rollback" if kind == "rollback" else "deploy"
    return trailers.message(f"{verb}({service}): production -> {image}", tags), {path: files[path]}


def _pin(text: str, source: str, image: str) -> str:
    """application.pin, by text replacement once the file pins something (40,000 YAML round trips cost
    a minute; the result is the same)."""
    revision, current = application.pinned(text) if "image.digest" not in text else _pins(text)
    if current is None:
        return application.pin(text, source, image)
    return text.replace(f"targetRevision: {revision}", f"targetRevision: {source}").replace(current, image)


def _pins(text: str) -> tuple[str, str]:
    revision = text.split("targetRevision: ", 1)[1].split("\n", 1)[0]
    value = text.split("value: ", 1)[1].split("\n", 1)[0]
    return revision, value
