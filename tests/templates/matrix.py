"""The render matrix: every golden-path template x answer sets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Tuple

TEMPLATES: tuple[str, ...] = ("http-api", "worker", "cronjob")

ANSWER_SETS: dict[str, dict[str, object]] = {
    # Only the questions without a default: everything else as the template defaults it.
    "defaults": {"service_name": "orders-api", "owner": "payments"},
    # Every option on and every default overridden with awkward-but-valid values (except the answers
    # plat computes: org and the platform release pin, so the stacks' module sources resolve on the forge).
    "all-options": {
        "service_name": "billing-engine",
        "owner": "team-billing",
        "description": 'Bills customers: "quotes", <angle> & \\backslashes\\',
        "system": "billing",
        "lifecycle": "production",
        "cost_center": "cc-1234",
        "registry": "registry.example.com:5000/acme/services",
        "with_database": True,
        "with_bucket": True,
        "with_function": True,
    },
    # The shortest valid names.
    "minimal": {"service_name": "a", "owner": "ab"},
}

# plat's own settings per answer set (PLAT_ORG, PLAT_PLATFORM_REPO, ...): the org and platform repo are
# not answers (plat computes them, with platform_ref and platform_version, from its settings and the
# platform release it publishes), so awkward names are given where a user gives them.
SETTINGS: dict[str, dict[str, str]] = {
    "all-options": {"org": "Acme-Corp", "platform_repo": "golden-platform"},
}
DEFAULT_SETTINGS: dict[str, str] = {"org": "acme", "platform_repo": "platform"}

TYPE_ANSWERS: dict[tuple[str, str], dict[str, object]] = {
    ("http-api", "all-options"): {"port": 9090},
    ("worker", "all-options"): {"port": 9100},
    ("cronjob", "all-options"): {"schedule": "0 3 * * *"},
}

ENVIRONMENTS = ("staging", "production")


@dataclass(frozen=True)
class Case:
    template: str
    answer_set: str
    answers: dict[str, object] = field(hash=False, compare=False)
    settings: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def id(self) -> str:
        return f"{self.template}-{self.answer_set}"

    @property
    def service(self) -> str:
        return str(self.answers["service_name"])


def cases() -> tuple[Case, ...]:
    result = []
    for template in TEMPLATES:
        for name, answers in ANSWER_SETS.items():
            merged = dict(answers)
            merged.update(TYPE_ANSWERS.get((template, name), {}))
            result.append(Case(template, name, merged, {**DEFAULT_SETTINGS, **SETTINGS.get(name, {})}))
    return tuple(result)


CASES = cases()
CASE_IDS = [c.id for c in CASES]

# Kinds `helm template` must produce, per template.
EXPECTED_KINDS = {
    "http-api": {
        "Deployment",
        "Service",
        "ServiceAccount",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "PrometheusRule",
        "ServiceMonitor",
    },
    "worker": {
        "Deployment",
        "Service",
        "ServiceAccount",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
        "NetworkPolicy",
        "PrometheusRule",
        "ServiceMonitor",
    },
    "cronjob": {"CronJob", "ServiceAccount", "NetworkPolicy", "PrometheusRule"},
}
# Custom resources: kubernetes-validate has no schema for them (validated by promtool / structure tests).
CRD_KINDS = {"PrometheusRule", "ServiceMonitor", "ExternalSecret"}
