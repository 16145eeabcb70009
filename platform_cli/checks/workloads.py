"""Kubernetes workload rules, checked on every container of the rendered chart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found, line_of
from platform_cli.checks.manifests import Manifest

RENDERS = Rule(
    "PLAT-K8S-000",
    "Helm chart renders",
    "high",
    "bronze",
    "fix the chart so `helm template` succeeds (see the error), or restore it with `plat doctor --fix`",
)
RESOURCES = Rule(
    "PLAT-K8S-001",
    "Container requests and limits",
    "high",
    "bronze",
    "set resources.requests and resources.limits for cpu, memory and ephemeral-storage in chart/values.yaml",
)
PROBES = Rule(
    "PLAT-K8S-002",
    "Liveness and readiness probes",
    "medium",
    "silver",
    "declare livenessProbe and readinessProbe (different endpoints) on a named port",
)
SECURITY = Rule(
    "PLAT-K8S-003",
    "Restricted securityContext",
    "high",
    "silver",
    "runAsNonRoot, seccompProfile RuntimeDefault, allowPrivilegeEscalation false, privileged false, "
    "readOnlyRootFilesystem true, capabilities.drop [ALL] (Pod Security Standards: restricted)",
)
DIGEST = Rule(
    "PLAT-K8S-004",
    "Image pinned by digest",
    "high",
    "silver",
    "reference the image as repo@sha256:<digest> (image.digest, set by the deploy workflow)",
)
HOST = Rule(
    "PLAT-K8S-005",
    "No host namespaces or host paths",
    "critical",
    "bronze",
    "remove hostNetwork, hostPID, hostIPC, hostPort and hostPath volumes",
)
RULES = {r.id: r for r in (RENDERS, RESOURCES, PROBES, SECURITY, DIGEST, HOST)}
NEEDS: tuple[str, ...] = ("helm",)  # the chart is rendered with helm
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply

WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")
LONG_RUNNING = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
RESOURCE_KEYS = ("cpu", "memory", "ephemeral-storage")


def skip_reason(ctx: ServiceContext) -> str:
    return ctx.render.skipped


def check(ctx: ServiceContext) -> list[Finding]:
    if ctx.render.error:
        chart = f"{ctx.render.chart}/Chart.yaml"
        return [found(RENDERS, f"helm template failed: {ctx.render.error}", chart)]
    findings: list[Finding] = []
    for manifest in ctx.render.of_kind(*WORKLOADS):
        findings += _pod_findings(ctx, manifest)
        for container in _containers(pod_spec(manifest)):
            findings += _container_findings(ctx, manifest, container)
    return findings


def pod_spec(m: Manifest) -> dict[str, Any]:
    spec = m.doc.get("spec") or {}
    if m.kind == "Pod":
        return spec
    if m.kind == "CronJob":
        spec = (spec.get("jobTemplate") or {}).get("spec") or {}
    return (spec.get("template") or {}).get("spec") or {}


def _containers(pod: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("initContainers", "containers"):
        yield from (c for c in pod.get(key) or () if isinstance(c, dict))


def _where(ctx: ServiceContext, m: Manifest, pattern: str) -> tuple[str, int]:
    return m.source, line_of(ctx.root / m.source, pattern, line_of(ctx.root / m.source, r"^kind:"))


def _pod_findings(ctx: ServiceContext, m: Manifest) -> list[Finding]:
    pod, out = pod_spec(m), []
    host = [k for k in ("hostNetwork", "hostPID", "hostIPC") if pod.get(k)]
    host += [
        f"hostPath volume {v.get('name')}" for v in pod.get("volumes") or () if isinstance(v, dict) and "hostPath" in v
    ]
    if host:
        out.append(
            found(HOST, f"{m.kind} {m.name} uses {', '.join(host)}", *_where(ctx, m, r"host(Network|PID|IPC|Path)"))
        )
    sc = pod.get("securityContext") or {}
    missing = [] if sc.get("runAsNonRoot") is True else ["runAsNonRoot: true"]
    if (sc.get("seccompProfile") or {}).get("type") not in ("RuntimeDefault", "Localhost"):
        missing.append("seccompProfile RuntimeDefault")
    if missing:
        out.append(
            found(
                SECURITY,
                f"{m.kind} {m.name}: pod securityContext lacks {', '.join(missing)}",
                *_where(ctx, m, r"^\s+securityContext:"),
            )
        )
    return out


def _container_findings(ctx: ServiceContext, m: Manifest, c: dict[str, Any]) -> list[Finding]:
    who, out = f"{m.kind} {m.name}, container {c.get('name')}", []
    res = c.get("resources") or {}
    gaps = [
        f"{part}.{key}" for part in ("requests", "limits") for key in RESOURCE_KEYS if key not in (res.get(part) or {})
    ]
    if gaps:
        out.append(found(RESOURCES, f"{who} has no {', '.join(gaps)}", *_where(ctx, m, r"^\s+resources:")))
    if m.kind in LONG_RUNNING and c not in (pod_spec(m).get("initContainers") or []):
        probes = [p for p in ("livenessProbe", "readinessProbe") if not c.get(p)]
        if probes:
            out.append(
                found(
                    PROBES,
                    f"{who} has no {' or '.join(probes)}",
                    *_where(ctx, m, rf"^\s+- name:\s*['\"]?{re.escape(str(c.get('name')))}\b"),
                )
            )
    if bad := _container_security(c):
        out.append(found(SECURITY, f"{who}: {', '.join(bad)}", *_where(ctx, m, r"^\s{8,}securityContext:")))
    image = str(c.get("image", ""))
    if "@sha256:" not in image:
        out.append(found(DIGEST, f"{who} uses image {image!r} without a digest", *_where(ctx, m, r"^\s+image:")))
    if any(isinstance(p, dict) and p.get("hostPort") for p in c.get("ports") or ()):
        out.append(found(HOST, f"{who} uses hostPort", *_where(ctx, m, r"hostPort")))
    return out


def _container_security(c: dict[str, Any]) -> list[str]:
    sc = c.get("securityContext") or {}
    bad = [] if sc.get("allowPrivilegeEscalation") is False else ["allowPrivilegeEscalation is not false"]
    if sc.get("privileged"):
        bad.append("privileged is true")
    if sc.get("readOnlyRootFilesystem") is not True:
        bad.append("readOnlyRootFilesystem is not true")
    if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or ()):
        bad.append("capabilities.drop lacks ALL")
    if sc.get("runAsNonRoot") is False or sc.get("runAsUser") == 0:
        bad.append("runs as root")
    return bad
