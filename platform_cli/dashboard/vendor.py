"""The JavaScript the site bundles, pinned: which npm tarball each file comes from, and its checksums.

`python -m platform_cli.dashboard.vendor` fetches the pinned tarballs with `npm pack` (npm checks the
registry's integrity; this module checks it again against the pin), and writes the files into
`assets/`. `--check` only verifies the committed files against their sha256 pins (the test suite does
the same). To move to a new release: change VERSION, take INTEGRITY from `npm view PKG@VERSION
dist.integrity`, run this module, review the diff, and put the new sha256 it prints into the pins.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True)
class Vendored:
    package: str  # name@version on npm
    integrity: str  # npm's dist.integrity of the tarball
    member: str  # the file inside the tarball
    asset: str  # its name under assets/
    sha256: str  # of the file as committed


PINS = (
    Vendored(
        "vega@6.4.0",
        "sha512-rHXCq2LpEWCLMjXBEj7hocY9G0/i5TGYRayGGSj06VTF4+l2IG2Z7oeZKCjWbUh/7hTE/mVhbaOPB72wCElh6g==",
        "package/build/vega.min.js",
        "vega.min.js",
        "8f6a3587cf8d4f42c7e08120e3eb05d067e746d554e39d2dcf52acc0bd5ba28f",
    ),
    Vendored(
        "vega-lite@6.5.0",
        "sha512-fMXF6s0MrIg0UTWnLIfeFtgSLzVhyzSKobzGrh5rhS+mL6FOYFG3m7ouJ4U23gj65EK+gl9FIIT5w7wLNaAzkA==",
        "package/build/vega-lite.min.js",
        "vega-lite.min.js",
        "83e215e84e308ee8688fa6503ba0f1cf8a3c05c0d61df2841a0b92bf86809e00",
    ),
)
LICENSES = (("vega@6.4.0", "package/LICENSE"), ("vega-lite@6.5.0", "package/LICENSE"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mismatches() -> list[str]:
    """The committed assets whose content is not the pinned one."""
    return [p.asset for p in PINS if not (ASSETS / p.asset).is_file() or sha256(ASSETS / p.asset) != p.sha256]


def refresh() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tarballs = {p.package: _pack(p.package, p.integrity, Path(tmp)) for p in PINS}
        licences = []
        for p in PINS:
            (ASSETS / p.asset).write_bytes(_member(tarballs[p.package], p.member))
            print(f"{p.asset}: sha256 {sha256(ASSETS / p.asset)}")
        for package, member in LICENSES:
            licences.append(f"== {package} ({member}) ==\n{_member(tarballs[package], member).decode()}")
        (ASSETS / "LICENSES.txt").write_text("\n".join(licences))


def _pack(package: str, integrity: str, tmp: Path) -> Path:
    name = (
        subprocess.run(["npm", "pack", "--silent", package], cwd=tmp, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    tarball = tmp / name
    got = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if got != integrity:
        raise SystemExit(f"{package}: integrity {got} is not the pinned {integrity}")
    return tarball


def _member(tarball: Path, member: str) -> bytes:
    with tarfile.open(tarball) as tar:
        extracted = tar.extractfile(member)
        assert extracted is not None, f"{member} is not a file in {tarball.name}"
        return extracted.read()


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        bad = mismatches()
        print("\n".join(f"{a}: not the pinned content" for a in bad) or "every vendored asset matches its pin")
        sys.exit(1 if bad else 0)
    refresh()
