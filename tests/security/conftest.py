"""The rendered manifests of every template and answer set, from the template tests' session fixtures
(rendered once per session for the modules here; the template tests render their own)."""

from tests.templates.conftest import manifests, renders, scan_root  # noqa: F401 - fixtures
