"""`plat dashboard build|serve`: the platform health site from `plat dora --json`,
`plat fleet status --json` (and `plat fleet campaign status --json`), and a local server to look at it.

The command takes its documents from producers passed in (`Producers`): saved files (`from_files`)
or, in the CLI, the dora and fleet engines. It never computes a metric itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from platform_cli.dashboard import model, site
from platform_cli.dashboard import serve as serving
from platform_cli.errors import DashboardInputError

Document = Mapping[str, Any]


@dataclass(frozen=True)
class Producers:
    """Where the documents come from: `dora(since)` is what `plat dora --json --since` prints,
    `fleet()` what `plat fleet status --json` prints (SLO budgets included), `campaigns()` what
    `plat fleet campaign status --json` prints for each campaign to show."""

    dora: Callable[[str | None], Document]
    fleet: Callable[[], Document]
    campaigns: Callable[[], Sequence[Document]] = lambda: ()


def build(
    out: Path,
    producers: Producers,
    since: str | None = None,
    now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
) -> site.Site:
    dora_doc, fleet_doc, campaign_docs = producers.dora(since), producers.fleet(), tuple(producers.campaigns())
    dora, fleet = model.load_dora(dora_doc), model.load_fleet(fleet_doc, campaign_docs)
    generated = (
        f"Built {now().strftime('%Y-%m-%d %H:%M %Z')} by plat dashboard build from plat dora and plat fleet status."
    )
    documents = {"dora": dora_doc, "fleet": fleet_doc, **{f"campaign-{i + 1}": c for i, c in enumerate(campaign_docs)}}
    return site.build(dora, fleet, documents, out, generated)


def from_files(dora: Path, fleet: Path, campaigns: Sequence[Path] = ()) -> Producers:
    """Producers that read saved documents (`plat dora --json > dora.json`, ...)."""

    def read_dora(since: str | None) -> Document:
        if since:
            raise DashboardInputError(
                "--since applies when plat computes the metrics",
                hint="the saved document has its window: run plat dora --json --since DATE",
            )
        return read(dora)

    return Producers(dora=read_dora, fleet=lambda: read(fleet), campaigns=lambda: [read(c) for c in campaigns])


def read(path: Path) -> Document:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DashboardInputError(
            f"{path} does not exist", hint="save it first, e.g. plat dora --json > dora.json"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DashboardInputError(
            f"{path} is not a JSON document: {exc}", hint="pass what `--json` printed, unchanged"
        ) from None
    if not isinstance(doc, dict):
        raise DashboardInputError(f"{path} is not a JSON object", hint="pass what `--json` printed, unchanged")
    return doc


def serve(site_dir: Path, port: int, host: str = "127.0.0.1"):
    """The server for a built site (call serve_forever on it) and its URL."""
    httpd = serving.server(site_dir, port, host)
    return httpd, serving.url(httpd)
