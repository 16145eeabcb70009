"""Run `terraform` offline in tests: the machine's binary, and providers from a filesystem mirror.

    tools = terraform_offline.locate()           # fails the test clearly when either is missing
    env = terraform_offline.offline_env(tmp)     # CLI config + shared plugin cache under `tmp`
    subprocess.run([tools.terraform, "init", "-backend=false"], cwd=stack, env=env)

`offline_env` writes a CLI config that installs every registry.terraform.io provider from the
mirror and never from the network, and points TF_PLUGIN_CACHE_DIR at `tmp/plugin-cache`: give it
the same `tmp` (e.g. a session directory) and every init after the first links the cached provider.
Lookup: `$TERRAFORM_BIN` or `terraform` on PATH; `$TERRAFORM_PROVIDER_MIRROR` or the first of
MIRRORS holding registry.terraform.io/hashicorp/aws/<version>/linux_amd64.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

MIRRORS = (
    Path("/opt/tf-plugins"),
    Path("/usr/local/share/terraform/plugins"),
    Path("/usr/share/terraform/plugins"),
)
PROVIDER = Path("registry.terraform.io") / "hashicorp" / "aws"
PLATFORM = "linux_amd64"
HINT = "run `scripts/install-test-tools`, which says what it found and what is missing"

CLI_CONFIG = """\
provider_installation {{
  filesystem_mirror {{
    path    = "{mirror}"
    include = ["registry.terraform.io/*/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/*/*"]
  }}
}}
"""


@dataclass(frozen=True)
class Tools:
    terraform: str  # the binary
    mirror: Path  # filesystem mirror root (holds registry.terraform.io/...)
    aws_versions: tuple[str, ...]  # hashicorp/aws versions the mirror holds for linux_amd64


def mirrored_versions(mirror: Path) -> tuple[str, ...]:
    root = mirror / PROVIDER
    if not root.is_dir():
        return ()
    found = [p.parent.name for p in root.glob(f"*/{PLATFORM}")] + [
        p.name.split("_")[1] for p in root.glob(f"terraform-provider-aws_*_{PLATFORM}.zip")
    ]
    return tuple(sorted(set(found)))


def find_mirror() -> Path | None:
    override = os.environ.get("TERRAFORM_PROVIDER_MIRROR")
    candidates = (Path(override),) if override else MIRRORS
    return next((m for m in candidates if mirrored_versions(m)), None)


def find_terraform() -> str | None:
    override = os.environ.get("TERRAFORM_BIN")
    if override:
        return override if os.access(override, os.X_OK) else None
    return shutil.which("terraform")


def locate() -> Tools:
    """The terraform binary and the AWS provider mirror, or a failed test that says which is missing."""
    terraform = find_terraform()
    if terraform is None:
        pytest.fail(f"terraform not found (TERRAFORM_BIN or PATH): {HINT}", pytrace=False)
    mirror = find_mirror()
    if mirror is None:
        where = os.environ.get("TERRAFORM_PROVIDER_MIRROR") or ", ".join(map(str, MIRRORS))
        pytest.fail(f"no filesystem mirror of hashicorp/aws for {PLATFORM} in {where}: {HINT}", pytrace=False)
    return Tools(terraform, mirror, mirrored_versions(mirror))


def offline_env(tmp: Path, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """os.environ (or `base`) plus a CLI config under `tmp` that installs providers only from the
    mirror, a plugin cache shared by every caller passing the same `tmp`, and no prompts or
    update checks."""
    tools = locate()
    tmp.mkdir(parents=True, exist_ok=True)
    config = tmp / "terraformrc"
    config.write_text(CLI_CONFIG.format(mirror=tools.mirror), encoding="utf-8")
    cache = tmp / "plugin-cache"
    cache.mkdir(exist_ok=True)
    env = dict(os.environ if base is None else base)
    env.update(
        {
            "TF_CLI_CONFIG_FILE": str(config),
            "TF_PLUGIN_CACHE_DIR": str(cache),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
        }
    )
    return env
