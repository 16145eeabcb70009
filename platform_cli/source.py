"""A platform repo published as git (URL + ref): checked out under PLAT_HOME/sources so plat renders,
upgrades and checks from a platform team's fork instead of the copy it was installed from."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from platform_cli import git
from platform_cli.errors import ConfigError


def checkout(url: str, ref: str, home: Path) -> Path:
    """The platform repo at `ref` (branch, tag or sha), cloned once, fetched when `ref` may have moved."""
    dest = home / "sources" / hashlib.sha256(url.encode()).hexdigest()[:16]
    try:
        if not (dest / ".git").is_dir():
            shutil.rmtree(dest, ignore_errors=True)
            git.run_remote(["clone", "-q", "--no-checkout", url, str(dest)])
        elif _moving(dest, ref):
            git.run_remote(["fetch", "-q", "--tags", "--force", "--prune", "origin"], dest)
    except git.NetworkTimeout:
        raise
    except git.GitError as exc:
        raise ConfigError(
            f"cannot fetch the platform repo {url}: {git.reason(exc.stderr)}",
            hint="check template_url (and your access to it)",
        ) from exc
    rev = _resolve(dest, ref)
    if rev is None:
        raise ConfigError(
            f"the platform repo {url} has no branch, tag or commit {ref!r}",
            hint="set template_ref to a branch, a tag such as v1.2.0, or a commit sha",
        )
    git.checkout_clean(dest, rev)
    return dest


def _moving(repo: Path, ref: str) -> bool:
    """A branch may have moved upstream; a tag or a sha already here has not."""
    return git.ref_exists(repo, f"refs/remotes/origin/{ref}") or _resolve(repo, ref) is None


def _resolve(repo: Path, ref: str) -> str | None:
    found = (git.resolve(repo, c) for c in (f"refs/remotes/origin/{ref}", f"refs/tags/{ref}", ref))
    return next((sha for sha in found if sha), None)
