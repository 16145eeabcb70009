"""Container HEALTHCHECK: exit 0 when GET /healthz on the app's port (PORT, else the rendered default) answers 200."""

from __future__ import annotations

import os
import sys
import urllib.request

from . import DEFAULT_PORT


def main() -> int:
    port = int(os.environ.get("PORT", DEFAULT_PORT))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:  # noqa: S310
            return 0 if response.status == 200 else 1
    except OSError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
