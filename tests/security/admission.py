"""Evaluate the platform's ValidatingAdmissionPolicies in-process, as the API server would on a CREATE.

CEL runs in cel-python (PyPI `cel-python`, module `celpy`). What the API server does around the
expressions is followed here: `matchConstraints.resourceRules` (kind -> resource), the binding's
`namespaceSelector` against the namespace's labels, `matchConditions` (all true, or the policy does
not apply), `variables` (in order, as `variables.<name>`), `paramKind` + `paramRef` (looked up by name
in the request's namespace; none found with `parameterNotFoundAction: Deny` is a denial under
`failurePolicy: Fail`), then every validation; an expression that errors counts as a denial
(`failurePolicy: Fail`). Kubernetes' static type checking of the expressions is not reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import celpy
import yaml
from celpy import celtypes

POLICIES = Path(__file__).resolve().parents[2] / "policies" / "admission"
# kind -> (API group, resource), for the kinds the policies match.
RESOURCES = {
    "Pod": ("", "pods"),
    "Deployment": ("apps", "deployments"),
    "ReplicaSet": ("apps", "replicasets"),
    "StatefulSet": ("apps", "statefulsets"),
    "DaemonSet": ("apps", "daemonsets"),
    "Job": ("batch", "jobs"),
    "CronJob": ("batch", "cronjobs"),
}
NO_PARAMS = "no params found for policy binding with `Deny` parameterNotFoundAction"  # the API server's words
_ENV = celpy.Environment()


@dataclass(frozen=True)
class Policy:
    name: str
    spec: dict[str, Any]
    binding: dict[str, Any]
    path: Path


@dataclass(frozen=True)
class Denial:
    policy: str
    message: str

    def __str__(self) -> str:
        return f"{self.policy}: {self.message}"


def load() -> tuple[Policy, ...]:
    policies, bindings = {}, {}
    for path in sorted(POLICIES.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc["kind"] == "ValidatingAdmissionPolicy":
                policies[doc["metadata"]["name"]] = (doc, path)
            elif doc and doc["kind"] == "ValidatingAdmissionPolicyBinding":
                bindings[doc["spec"]["policyName"]] = doc
    return tuple(Policy(name, doc["spec"], bindings[name]["spec"], path) for name, (doc, path) in policies.items())


def expressions(policy: Policy) -> list[str]:
    s = policy.spec
    return [c["expression"] for key in ("matchConditions", "variables", "validations") for c in s.get(key) or []]


@cache
def program(expression: str) -> Any:
    return _ENV.program(_ENV.compile(expression))


def evaluate(expression: str, activation: dict[str, Any]) -> Any:
    """The expression's value, or the exception it raised / the CELEvalError it returned."""
    try:
        return program(expression).evaluate(activation)
    except Exception as exc:  # noqa: BLE001 - any failure is the policy's failure
        return exc


def matches(policy: Policy, obj: dict[str, Any], namespace_labels: dict[str, str]) -> bool:
    if obj.get("kind") not in RESOURCES:
        return False
    group, resource = RESOURCES[obj["kind"]]
    rules = policy.spec["matchConstraints"]["resourceRules"]
    if not any(group in r["apiGroups"] and resource in r["resources"] and "CREATE" in r["operations"] for r in rules):
        return False
    return selects(policy.binding.get("matchResources", {}).get("namespaceSelector") or {}, namespace_labels)


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """A label selector (matchLabels, and matchExpressions In/NotIn/Exists/DoesNotExist) against labels."""
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        key, op, values = e["key"], e["operator"], e.get("values") or []
        ok = {
            "Exists": key in labels,
            "DoesNotExist": key not in labels,
            "In": labels.get(key) in values,
            "NotIn": labels.get(key) not in values,
        }[op]
        if not ok:
            return False
    return True


def admit(
    policy: Policy, obj: dict[str, Any], namespace: list[dict[str, Any]], namespace_labels: dict[str, str]
) -> list[Denial]:
    """The denials of `policy` for creating `obj` in a namespace holding `namespace` (its objects)."""
    if not matches(policy, obj, namespace_labels):
        return []
    activation: dict[str, Any] = {"object": celpy.json_to_cel(obj)}
    for cond in policy.spec.get("matchConditions") or []:
        value = evaluate(cond["expression"], activation)
        if isinstance(value, Exception) or not isinstance(value, celtypes.BoolType):
            return [Denial(policy.name, f"matchCondition {cond['name']} failed: {value}")]
        if not value:
            return []
    if "paramKind" in policy.spec:
        param = _param(policy, namespace)
        if param is None:
            return [Denial(policy.name, NO_PARAMS)]
        activation["params"] = celpy.json_to_cel(param)
    variables: dict[str, Any] = {}
    for var in policy.spec.get("variables") or []:
        activation["variables"] = celtypes.MapType(variables)
        value = evaluate(var["expression"], activation)
        if isinstance(value, Exception):
            return [Denial(policy.name, f"variable {var['name']} failed: {value}")]
        variables[celtypes.StringType(var["name"])] = value
    activation["variables"] = celtypes.MapType(variables)
    out = []
    for v in policy.spec["validations"]:
        value = evaluate(v["expression"], activation)
        if isinstance(value, Exception) or not isinstance(value, celtypes.BoolType):
            out.append(Denial(policy.name, f"expression failed ({value}): {v['message']}"))
        elif not value:
            out.append(Denial(policy.name, v["message"]))
    return out


def _param(policy: Policy, namespace: list[dict[str, Any]]) -> dict[str, Any] | None:
    kind = policy.spec["paramKind"]
    name = policy.binding["paramRef"]["name"]
    for doc in namespace:
        if doc.get("apiVersion") == kind["apiVersion"] and doc.get("kind") == kind["kind"]:
            if doc["metadata"]["name"] == name:
                return doc
    return None


def admit_all(
    policies: tuple[Policy, ...], obj: dict[str, Any], namespace: list[dict[str, Any]], labels: dict[str, str]
) -> list[Denial]:
    return [d for p in policies for d in admit(p, obj, namespace, labels)]
