"""actions/upload-pages-artifact, performed as the action does it on Linux: the site directory
archived with tar (symlinks and hard links dereferenced; .git, .github and hidden files left out)
into $RUNNER_TEMP/artifact.tar, then uploaded as the run's artifact `github-pages`. The upload goes
to the rehearsal's artifact store (a directory), where GitHub's artifact storage would keep it."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .runner import Handler, Job, StepFailed


def upload_pages_artifact(store: Path) -> Handler:
    def upload(job: Job, step: Mapping[str, Any], with_: Mapping[str, Any]) -> dict[str, str]:
        site = Path(str(with_.get("path") or "_site/"))
        site = site if site.is_absolute() else job.workspace / site
        if not site.is_dir():
            raise StepFailed(f"tar: {site}: Cannot open: No such file or directory")
        tarball = job.temp / "artifact.tar"
        hidden = [] if str(with_.get("include-hidden-files", "false")) == "true" else ["--exclude=.[^/]*"]
        proc = subprocess.run(
            [
                "tar",
                "--dereference",
                "--hard-dereference",
                "--directory",
                str(site),
                "-cvf",
                str(tarball),
                "--exclude=.git",
                "--exclude=.github",
                *hidden,
                ".",
            ],
            capture_output=True,
            text=True,
            env=job.base_env,
            timeout=300,
        )
        if proc.returncode != 0:
            raise StepFailed(f"tar exit {proc.returncode}: {proc.stderr[-2000:]}")
        name = str(with_.get("name") or "github-pages")
        store.mkdir(parents=True, exist_ok=True)
        if (store / f"{name}.tar").exists():
            raise StepFailed(f"an artifact named {name} was already uploaded in this run")
        shutil.copyfile(tarball, store / f"{name}.tar")
        return {"artifact_id": str(len(list(store.iterdir())))}

    return upload
