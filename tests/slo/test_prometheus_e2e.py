"""End to end against a real Prometheus on 127.0.0.1: the generated HTTP API skeleton serves
traffic with a known error ratio, Prometheus scrapes it and evaluates the generated rules, and
`plat slo budget` / `plat slo gate` read the budget back."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from platform_cli.cli.shared import ExitCode
from platform_cli.cli.slo import slo_app
from platform_cli.commands import slo
from platform_cli.prometheus import Prometheus
from platform_cli.slo import files as slo_files
from tests.templates.tools import find

# A team adds a route that fails, as teams do; everything else is the skeleton as rendered.
FAILING_ROUTE = """\
import sys
from app import main as service

def fail(_handler):
    raise RuntimeError("boom")

service.ROUTES["/fail"] = fail
sys.exit(service.main())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up in {timeout}s")


def wait_scraped(prometheus: str, job: str, timeout: float = 20.0) -> None:
    """Counters only show an increase once Prometheus has seen them before the traffic."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Prometheus(prometheus).query(f'up{{job="{job}"}} == 1'):
            return
        time.sleep(0.2)
    raise AssertionError(f"Prometheus never scraped {job}")


def hit(url: str) -> None:
    try:
        urllib.request.urlopen(url, timeout=2).read()
    except urllib.error.HTTPError:
        pass


@pytest.fixture
def stack(real_services, tmp_path):
    repo = tmp_path / "svc"
    shutil.copytree(real_services["http-api"], repo)
    (repo / "run_with_failing_route.py").write_text(FAILING_ROUTE)
    app_port, prom_port = free_port(), free_port()
    app = subprocess.Popen(
        [sys.executable, "run_with_failing_route.py"],
        cwd=repo,
        env={**os.environ, "PORT": str(app_port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    job = "demo-http-api"  # the service name: the job label its SLO queries select
    (tmp_path / "prometheus.yml").write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: [{repo / slo_files.RULES_FILE}]\n"
        f"scrape_configs: [{{job_name: {job}, static_configs: [{{targets: ['127.0.0.1:{app_port}']}}]}}]\n"
    )
    prom = subprocess.Popen(
        [
            find("prometheus"),
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{app_port}/readyz")
        wait_for(f"http://127.0.0.1:{prom_port}/-/ready")
        wait_scraped(f"http://127.0.0.1:{prom_port}", job)
        yield repo, f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{prom_port}"
    finally:
        for proc in (app, prom):
            proc.terminate()
            proc.wait(timeout=20)


def drive(app_url: str, ok: int, failing: int, rounds: int) -> None:
    for _ in range(rounds):
        for _ in range(ok):
            hit(app_url + "/")
        for _ in range(failing):
            hit(app_url + "/fail")
        time.sleep(0.5)


def poll_budgets(repo: Path, prometheus: str, ready, timeout: float = 40.0):
    deadline = time.monotonic() + timeout
    found = ()
    while time.monotonic() < deadline:
        found = slo.budgets(repo, Prometheus(prometheus))
        if ready({b.slo: b for b in found}):
            return {b.slo: b for b in found}
        time.sleep(1)
    raise AssertionError(f"budgets never settled: {found}")


def gate_cli(repo: Path, prometheus: str, *extra: str):
    return CliRunner().invoke(slo_app, ["gate", str(repo), "--prometheus", prometheus, "--json", *extra])


def test_budget_and_gate_follow_real_traffic(stack):
    repo, app_url, prom_url = stack
    drive(app_url, ok=20, failing=0, rounds=6)
    clean = poll_budgets(repo, prom_url, lambda b: all(x.remaining is not None for x in b.values()))
    assert clean["requests-availability"].remaining == pytest.approx(1.0)
    assert clean["requests-availability"].burn_rate_5m == pytest.approx(0.0)
    allowed = gate_cli(repo, prom_url)
    assert allowed.exit_code == 0, allowed.output
    assert json.loads(allowed.stdout)["allowed"] is True

    drive(app_url, ok=9, failing=1, rounds=8)  # 10% errors against a 99.9% objective
    burning = poll_budgets(repo, prom_url, lambda b: (b["requests-availability"].remaining or 1) < 0)
    availability = burning["requests-availability"]
    assert availability.burn_rate_5m > 14.4  # far above the fast-burn page threshold
    assert availability.hours_to_exhaustion == 0.0

    blocked = gate_cli(repo, prom_url)
    assert blocked.exit_code == ExitCode.BLOCKED
    assert "error budget exhausted: requests-availability" in json.loads(blocked.stdout)["reason"]
    hotfix = gate_cli(repo, prom_url, "--label", "hotfix")
    assert hotfix.exit_code == 0 and json.loads(hotfix.stdout)["exception"] == "hotfix"


def test_gate_fails_closed_or_open_when_prometheus_is_unreachable(real_services):
    url = f"http://127.0.0.1:{free_port()}"
    closed = gate_cli(real_services["http-api"], url)
    assert closed.exit_code == ExitCode.BLOCKED and "did not answer" in json.loads(closed.stdout)["reason"]
    assert gate_cli(real_services["http-api"], url, "--on-unreachable", "pass").exit_code == 0
