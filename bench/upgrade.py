"""Benchmark `plat upgrade` against `copier update` on the same service and template versions.

    .venv/bin/python bench/upgrade.py [--runs 7] [--type http-api]

Setup (not timed): a copy of this platform repo as version 0.1.0 and a second copy as 0.2.0 (a
platform-owned file changed, a shared file changed, a file added, a file renamed, a changelog
entry). For every run, two services are made with `plat new service` at 0.1.0 and given the same
local edits (committed and pushed). Timed, alternating: `plat upgrade` on one (render once onto the baseline,
three-way merge into the upgrade branch, push both branches to the local forge, open the pull
request) and `copier update --vcs-ref v0.2.0` on the other (it replays the template diff onto the
working tree; no branch, no push). Both read the same template store release. Prints medians and
the ratio plat/copier.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from _timing import REPO, VENV_BIN, compare, hermetic_env, parse_args, timed

PLATFORM_DIRS = ("templates", "workflows", "terraform-modules", "policies")


def platform_copy(dest: Path, version: str) -> Path:
    for name in PLATFORM_DIRS:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "templates" / "VERSION").write_text(version + "\n")
    return dest


def make_v2(src: Path, kind: str) -> None:
    tpl = src / "templates" / kind / "template"
    deployment = tpl / "chart" / "templates" / "deployment.yaml"
    deployment.write_text(deployment.read_text() + "# bench: platform change in 0.2.0\n")
    values = next((tpl / "chart").glob("values.yaml*"))
    values.write_text("# bench: shared change in 0.2.0\n" + values.read_text())
    (tpl / "chart" / "templates" / "bench-added.yaml").write_text("# added in 0.2.0\n")
    notes = tpl / "chart" / "templates" / "NOTES.txt"
    if notes.exists():
        notes.rename(notes.with_name("NOTES-renamed.txt"))
    log = src / "templates" / "CHANGELOG.md"
    log.write_text(log.read_text().replace("## 0.1.0", "## 0.2.0\n\n- bench changes\n\n## 0.1.0", 1))


def git(repo: Path, *args: str, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def service(root: Path, name: str, kind: str, env: dict[str, str]) -> Path:
    subprocess.run(
        [str(VENV_BIN / "plat"), "new", "service", name, "--type", kind, "--owner", "bench-team", "--yes"],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
    )
    repo = root / name
    for path in sorted((repo / "chart").glob("values-*.yaml"))[:1]:
        path.write_text(path.read_text() + "# local edit\n")
    readme = repo / "README.md"
    readme.write_text(readme.read_text() + "\nLocal notes.\n")
    git(repo, "commit", "-qam", "local edits", env=env)
    git(repo, "push", "-q", "origin", "main", env=env)  # as a team does: plat upgrade refuses unpushed commits
    return repo


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="plat-bench-upgrade-") as tmp:
        root = Path(tmp)
        v1 = platform_copy(root / "src-v1", "0.1.0")
        v2 = platform_copy(root / "src-v2", "0.2.0")
        make_v2(v2, args.type)
        env1 = {**hermetic_env(root / "home"), "PLAT_TEMPLATE_SOURCE": str(v1)}
        env2 = {**env1, "PLAT_TEMPLATE_SOURCE": str(v2)}
        plat, copier = str(VENV_BIN / "plat"), str(VENV_BIN / "copier")
        pairs = [
            (service(root, f"p-{i}", args.type, env1), service(root, f"c-{i}", args.type, env1))
            for i in range(args.runs + 1)
        ]
        timed([plat, "upgrade", str(pairs[0][0])], root, env2)  # warm-up: publishes the 0.2.0 releases
        ratio = compare(
            f"plat upgrade vs copier update ({args.type} 0.1.0 → 0.2.0)",
            lambda i: timed([plat, "upgrade", str(pairs[i + 1][0])], root, env2),
            lambda i: timed(
                [
                    copier,
                    "update",
                    "--trust",
                    "--defaults",
                    "--quiet",
                    "--skip-tasks",
                    "--conflict",
                    "inline",
                    "--vcs-ref",
                    "v0.2.0",
                    str(pairs[i + 1][1]),
                ],
                root,
                env2,
            ),
            args.runs,
        )
        print(f"ratio {ratio:.2f} ({'meets' if ratio <= 0.5 else 'misses'} the ≤ 0.5 goal)")


if __name__ == "__main__":
    main()
