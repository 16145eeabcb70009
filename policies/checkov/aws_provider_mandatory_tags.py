"""CKV_PLAT_1: the AWS provider must set default_tags carrying the platform's mandatory tags.

checkov has no built-in mandatory-tag check. Every golden-path stack tags all resources
through the provider's `default_tags` (team, service, environment, cost-center), each value
coming from a validated variable. Run with:

    checkov -d <stack> --framework terraform --external-checks-dir policies/checkov
"""

from __future__ import annotations

from typing import Any, Dict, List

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck

MANDATORY_TAGS = ("team", "service", "environment", "cost-center")


def _first(value: Any) -> Any:
    while isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


class AwsProviderMandatoryTags(BaseProviderCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure the AWS provider sets default_tags with team, service, environment and cost-center",
            id="CKV_PLAT_1",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_provider=["aws"],
        )

    def scan_provider_conf(self, conf: Dict[str, List[Any]]) -> CheckResult:
        default_tags = _first(conf.get("default_tags"))
        if not isinstance(default_tags, dict):
            return CheckResult.FAILED
        tags = _first(default_tags.get("tags"))
        if not isinstance(tags, dict):
            return CheckResult.FAILED
        for key in MANDATORY_TAGS:
            value = _first(tags.get(key))
            if not isinstance(value, str) or not value.strip():
                return CheckResult.FAILED
        return CheckResult.PASSED


check = AwsProviderMandatoryTags()
