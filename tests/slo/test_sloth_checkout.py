"""Against a Sloth checkout, when PLAT_SLOTH_CHECKOUT names one (its repository root): every
prometheus/v1 spec in its examples and integration testdata either generates rules equivalent to
Sloth's expected output, or is refused naming a feature docs/slo.md lists as unsupported. The
project's own fixtures (test_sloth_compat.py) are the coverage that always runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from platform_cli.errors import UsageError
from platform_cli.slo import rules
from platform_cli.slo import spec as spec_mod
from tests.slo import sloth_compat

ROOT = Path(os.environ.get("PLAT_SLOTH_CHECKOUT", "/nonexistent"))
DATA = "test/integration/prometheus/testdata"
VM = "sloth.dev/contrib/validate_victoria_metrics/v1"
DOCS = (Path(__file__).parents[2] / "docs" / "slo.md").read_text()
SAME = {  # input -> (Sloth's output, SLO period in days)
    "examples/getting-started.yml": ("examples/_gen/getting-started.yml", 30),
    "examples/home-wifi.yml": ("examples/_gen/home-wifi.yml", 30),
    "examples/multifile.yml": ("examples/_gen/multifile.yml", 30),
    "examples/no-alerts.yml": ("examples/_gen/no-alerts.yml", 30),
    "examples/raw-home-wifi.yml": ("examples/_gen/raw-home-wifi.yml", 30),
    "examples/slo-plugin-getting-started.yml": ("examples/_gen/slo-plugin-getting-started.yml", 30),
    "examples/contrib-slo-plugins.yml": ("examples/_gen/contrib-slo-plugins.yml", 30),
    "examples/kubernetes-apiserver.yml": ("examples/_gen/kubernetes-apiserver.yml", 30),
    f"{DATA}/in-base.yaml": (f"{DATA}/out-base.yaml.tpl", 30),
    f"{DATA}/in-base.yaml ": (f"{DATA}/out-base-28d.yaml.tpl", 28),
    f"{DATA}/in-multifile.yaml": (f"{DATA}/out-multifile.yaml.tpl", 30),
}
REFUSED = {  # input -> (what the refusal names, the unsupported feature docs/slo.md lists)
    "examples/plugin-getting-started.yml": ("sli.plugin", "sli.plugin"),
    "examples/victoria-metrics.yml": (VM, VM),
    f"{DATA}/in-sli-plugin.yaml": ("sli.plugin", "sli.plugin"),
    f"{DATA}/in-slo-plugin.yaml": ("'integration-tests/plugin1' is not supported", "custom SLO plugins"),
    f"{DATA}/in-invalid-version.yaml": ("not a Sloth prometheus/v1 SLO spec", "prometheus/v1"),
}
pytestmark = pytest.mark.skipif(not (ROOT / "examples").is_dir(), reason="set PLAT_SLOTH_CHECKOUT to a Sloth checkout")


def documents(path: str, period: int = 30) -> list:
    docs = [d for d in yaml.safe_load_all((ROOT / path.strip()).read_text()) if d]
    return [{**d, "period_days": period} if period != 30 else d for d in docs]


@pytest.mark.parametrize("source", sorted(SAME))
def test_sloths_examples_generate_sloths_rules(source):
    expected, period = SAME[source]
    ours = rules.rule_groups(spec_mod.parse(documents(source, period)))
    assert sloth_compat.differences(ours, sloth_compat.load_sloth((ROOT / expected).read_text())) == []


@pytest.mark.parametrize("source", sorted(REFUSED))
def test_sloths_specs_plat_cannot_run_are_refused_naming_the_feature(source):
    with pytest.raises(UsageError) as info:
        spec_mod.parse(documents(source))
    named, listed = REFUSED[source]
    assert named in info.value.message and listed in DOCS


def test_every_prometheus_v1_spec_is_covered():
    found = {
        str(p.relative_to(ROOT))
        for folder in ("examples", DATA)
        for p in (ROOT / folder).glob("*.y*ml")
        if "prometheus/v" in p.read_text().split("slos:")[0]
    }
    assert found == {s.strip() for s in (*SAME, *REFUSED)}


@pytest.mark.parametrize("kind, accepted", [("good", True), ("bad", False)])
def test_sloths_validation_fixtures(kind, accepted):
    for path in sorted((ROOT / DATA / "validate" / kind).glob("*.yaml")):
        if "prometheus/v1" not in path.read_text():
            continue
        problems = spec_mod.problems([d for d in yaml.safe_load_all(path.read_text()) if d])
        assert (not problems) == accepted, (path.name, problems)
    duplicates = ROOT / DATA / "validate_with_duplicates" / "bad-prom-multi-duplicates.yaml"
    assert spec_mod.problems(list(yaml.safe_load_all(duplicates.read_text())))
