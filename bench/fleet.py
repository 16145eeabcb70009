"""Benchmark `plat fleet status --json` against what a team scripts today: `plat doctor` and
`plat upgrade --check` in each checkout, one after another; then a fleet upgrade campaign.

    .venv/bin/python bench/fleet.py [--services 500] [--runs 1] [--campaign 500] [--keep DIR]

`--keep DIR` builds the fleet in DIR the first time and reuses it on the next runs (building 500
services takes minutes; `--runs 0 --campaign 0` only builds it); the campaign changes the fleet, so
it is refused with `--keep`.

The fleet lives on the local forge: seed services are made by `plat new service` (the three
golden-path templates, at template versions 0.1.0 and 0.2.0, each also with a drifted
platform-owned file: 12 seeds), and the fleet's repos are copies of the seeds' bare repos
(`fleet-0000` …), all registered on the GitOps repo's `main` (registered in bulk, as `bench/new.py`
does). Version 0.2.0 is a copy of the platform content with a changelog entry and one changed
platform-owned file, so 0.1.0 services are one release behind.

Measured, each as fresh processes with the same PATH (helm included):
- peer: for each service, in its checkout, `plat doctor --json` then `plat upgrade --check --json`;
- `plat fleet status --json`, cold (empty cache), then again on the unchanged fleet;
- `plat fleet upgrade --to 0.2.0 --no-wait --wave-size 50` over the first `--campaign` services.
Prints medians, the ratios (targets: cold ≤ 0.2 of the peer, rescan ≤ 0.05 of cold) and the
campaign's time per service.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _timing import REPO, VENV_BIN, _fmt, hermetic_env, parse_args
from new import _environ, register_many

CONTENT = ("templates", "workflows", "terraform-modules", "policies")
TEMPLATES = ("http-api", "worker", "cronjob")


def run(argv: list[str], cwd: Path, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed


def platform_at(root: Path, version: str) -> Path:
    """The platform content at `version`: 0.1.0 as it is, 0.2.0 with one platform-owned change."""
    dest = root / f"platform-{version}"
    for name in CONTENT:
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "templates" / "VERSION").write_text(version + "\n")
    if version != "0.1.0":
        log = dest / "templates" / "CHANGELOG.md"
        log.write_text(log.read_text().replace("## 0.1.0", f"## {version}\n\n- Bench release.\n\n## 0.1.0", 1))
        for kind in TEMPLATES:
            for path in (dest / "templates" / kind / "template").rglob("NOTES.txt*"):
                path.write_text(path.read_text() + "\n")
    return dest


def seeds(root: Path, env: dict[str, str], sources: dict[str, Path]) -> list[str]:
    """Make the seed services with `plat new service`; drift half of them."""
    made = []
    for version, source in sources.items():
        for kind in TEMPLATES:
            for drift in (False, True):
                name = f"seed-{kind}-{version.replace('.', '')}{'-drift' if drift else ''}"
                run(
                    [str(VENV_BIN / "plat"), "new", "service", name, "--type", kind, "--owner", "bench-team", "--yes"],
                    root,
                    {**env, "PLAT_TEMPLATE_SOURCE": str(source)},
                )
                if drift:
                    _drift(root / name, env)
                made.append(name)
    return made


def _drift(checkout: Path, env: dict[str, str]) -> None:
    target = next(checkout.glob("chart/templates/deployment.yaml"), None) or next(
        checkout.glob("chart/templates/*.yaml")
    )
    target.write_text("# edited by the team\n" + target.read_text())
    for args in (["commit", "-qam", "drift"], ["push", "-q", "origin", "main"]):
        subprocess.run(["git", *args], cwd=checkout, env=env, check=True)


def build_fleet(root: Path, env: dict[str, str], count: int, seed_names: list[str]) -> list[str]:
    from platform_cli.gitops.registration import Registration

    forge = root / "home" / "plat" / "forge" / "local"
    names, regs = [], []
    for i in range(count):
        name, seed = f"fleet-{i:04d}", seed_names[i % len(seed_names)]
        shutil.copytree(forge / f"{seed}.git", forge / f"{name}.git")
        names.append(name)
        regs.append(
            Registration(name, "local", f"team-{i % 7}", name, str(forge / f"{name}.git"), ("staging", "production"))
        )
    with _environ(env):
        register_many(root / "home" / "plat" / "forge", "local", regs, merged=len(regs))
        _close_seed_registrations(root / "home" / "plat" / "forge")
    checkouts = root / "checkouts"
    for name in names:
        subprocess.run(["git", "clone", "-q", str(forge / f"{name}.git"), str(checkouts / name)], env=env, check=True)
    return names


def _close_seed_registrations(forge_root: Path) -> None:
    """The seeds are not part of the fleet: their registrations are closed (the peer never sees them)."""
    from platform_cli.forge.local import LocalForge

    forge = LocalForge(forge_root)
    for pr in forge.list_pull_requests("local", "gitops", "open"):
        if pr.head.startswith("plat/register-seed-"):
            forge.close_pull_request("local", "gitops", pr.id)


def main() -> None:
    args = parse_args(
        lambda p: (
            p.add_argument("--services", type=int, default=500),
            p.add_argument("--campaign", type=int, default=500),
            p.add_argument("--keep", type=Path, default=None, help="build the fleet here once, reuse it after"),
        )
    )
    if args.keep and args.campaign:
        raise SystemExit("--keep reuses the fleet, which a campaign changes: pass --campaign 0")
    if args.keep:
        measure(args, args.keep.resolve())
        return
    with tempfile.TemporaryDirectory(prefix="plat-bench-fleet-") as tmp:
        measure(args, Path(tmp))


def measure(args, root: Path) -> None:
    env = {**hermetic_env(root / "home"), "PATH": f"{REPO / '.tools' / 'bin'}:{VENV_BIN}:/usr/bin:/bin"}
    names = fleet(root, env, args.services)
    if args.runs < 1:
        return  # `--runs 0`: build (or check) the fleet only
    plat = str(VENV_BIN / "plat")
    peer, cold, warm = [], [], []
    for _ in range(args.runs):  # alternating: each run's peer and scans see the same load
        peer.append(
            sum(
                run([plat, "doctor", "--json"], root / "checkouts" / n, env, ok=(0, 4))
                + run([plat, "upgrade", "--check", "--json"], root / "checkouts" / n, env, ok=(0, 10))
                for n in names
            )
        )
        shutil.rmtree(root / "home" / "plat" / "cache" / "fleet", ignore_errors=True)
        cold.append(run([plat, "fleet", "status", "--json"], root, env))
        warm.append(run([plat, "fleet", "status", "--json"], root, env))
        print(f"run {len(peer)}: peer {peer[-1]:.1f}s, cold {cold[-1]:.1f}s, unchanged {warm[-1]:.2f}s", flush=True)
    out = subprocess.run([plat, "fleet", "status", "--json"], cwd=root, env=env, capture_output=True, text=True)
    summary = json.loads(out.stdout)["summary"]
    p, c, w = (statistics.median(x) for x in (peer, cold, warm))
    print(f"peer (plat doctor + plat upgrade --check per checkout, serial): median {p:.2f}s ({_fmt(peer)})")
    print(f"plat fleet status --json, cold: median {c:.2f}s ({_fmt(cold)}); ratio to peer {c / p:.3f} (target <= 0.2)")
    print(
        f"plat fleet status --json, unchanged rescan: median {w:.3f}s ({_fmt(warm)}); "
        f"ratio to cold {w / c:.4f} (target <= 0.05)"
    )
    print(f"per-run ratios: cold/peer {_fmt([a / b for a, b in zip(cold, peer, strict=True)])}")
    print(f"summary: {json.dumps(summary)}; load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if args.campaign:
        campaign(root, env, names[: args.campaign])
    sys.stdout.flush()


def fleet(root: Path, env: dict[str, str], count: int) -> list[str]:
    """The fleet's service names: built in `root`, or read from the record of an earlier build there."""
    record = root / "fleet.json"
    env["PLAT_TEMPLATE_SOURCE"] = str(root / "platform-0.2.0")  # the fleet's platform: 0.1.0 services lag
    if record.is_file():
        names = json.loads(record.read_text())["services"]
        if len(names) != count:
            raise SystemExit(f"{root} holds a fleet of {len(names)} services, not {count}: use another --keep")
        print(f"fleet of {len(names)} reused from {root}", flush=True)
        return names
    started = time.perf_counter()
    sources = {v: platform_at(root, v) for v in ("0.1.0", "0.2.0")}
    names = build_fleet(root, env, count, seeds(root, env, sources))
    record.write_text(json.dumps({"services": names}))
    print(f"fleet of {len(names)} built in {time.perf_counter() - started:.0f}s", flush=True)
    return names


def campaign(root: Path, env: dict[str, str], chosen: list[str]) -> None:
    plat = str(VENV_BIN / "plat")
    argv = [plat, "fleet", "upgrade", "--to", "0.2.0", "--no-wait", "--wave-size", "50"]
    argv += ["--services", ",".join(chosen), "--json"]
    t = run(argv, root, env)
    states = json.loads(subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True).stdout)["counts"]
    print(f"campaign of {len(chosen)} services: {t:.1f}s, {t / len(chosen):.2f}s per service; states {states}")


if __name__ == "__main__":
    main()
