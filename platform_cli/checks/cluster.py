"""Kubernetes rules about the objects around the workloads: PDB, HPA, default-deny NetworkPolicy."""

from __future__ import annotations

from typing import Any

from platform_cli.checks.context import ServiceContext
from platform_cli.checks.finding import Finding, Rule, found, line_of
from platform_cli.checks.manifests import Manifest

PDB = Rule(
    "PLAT-K8S-006",
    "PodDisruptionBudget for multi-replica workloads",
    "medium",
    "gold",
    "add a policy/v1 PodDisruptionBudget selecting the pods (unhealthyPodEvictionPolicy: AlwaysAllow)",
)
HPA = Rule(
    "PLAT-K8S-007",
    "HorizontalPodAutoscaler",
    "low",
    "gold",
    "set autoscaling.enabled: true (autoscaling/v2, minReplicas >= 2, maxReplicas > minReplicas)",
)
NETPOL = Rule(
    "PLAT-K8S-008",
    "Default-deny NetworkPolicy",
    "high",
    "silver",
    "add a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] and no rules, "
    "then allow only the documented traffic",
)
RULES = {r.id: r for r in (PDB, HPA, NETPOL)}
NEEDS: tuple[str, ...] = ("helm",)  # the chart is rendered with helm
SKIP_IS_UNVERIFIED = False  # skipped only where it does not apply


def skip_reason(ctx: ServiceContext) -> str:
    return ctx.render.skipped


def check(ctx: ServiceContext) -> list[Finding]:
    if ctx.render.manifests is None:
        return []  # a chart that does not render is PLAT-K8S-000
    hpas = {_target(h) for h in ctx.render.of_kind("HorizontalPodAutoscaler")}
    pdbs = ctx.render.of_kind("PodDisruptionBudget")
    out: list[Finding] = []
    for m in ctx.render.of_kind("Deployment", "StatefulSet"):
        scaled = (m.kind, m.name) in hpas
        if m.kind == "Deployment" and not scaled:
            out.append(found(HPA, f"{m.kind} {m.name} has no HorizontalPodAutoscaler", *_at(ctx, m, r"replicas:")))
        replicas = (m.doc.get("spec") or {}).get("replicas", 1)
        if (scaled or (isinstance(replicas, int) and replicas > 1)) and not any(_selects(p, m) for p in pdbs):
            out.append(
                found(
                    PDB,
                    f"{m.kind} {m.name} runs several replicas without a PodDisruptionBudget",
                    *_at(ctx, m, r"^kind:"),
                )
            )
    if not any(_default_deny(p.doc) for p in ctx.render.of_kind("NetworkPolicy")):
        where = f"{ctx.render.chart}/templates"
        out.append(found(NETPOL, "no NetworkPolicy denies all ingress and egress by default", where, 1))
    return out


def _at(ctx: ServiceContext, m: Manifest, pattern: str) -> tuple[str, int]:
    return m.source, line_of(ctx.root / m.source, pattern, line_of(ctx.root / m.source, r"^kind:"))


def _target(hpa: Manifest) -> tuple[str, str]:
    ref = (hpa.doc.get("spec") or {}).get("scaleTargetRef") or {}
    return str(ref.get("kind", "")), str(ref.get("name", ""))


def _selects(pdb: Manifest, m: Manifest) -> bool:
    wanted = ((pdb.doc.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    labels = (((m.doc.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
    return bool(wanted) and all(labels.get(k) == v for k, v in wanted.items())


def _default_deny(doc: dict[str, Any]) -> bool:
    spec = doc.get("spec") or {}
    return (
        spec.get("podSelector") in ({}, None)
        and "podSelector" in spec
        and {"Ingress", "Egress"} <= set(spec.get("policyTypes") or ())
        and not spec.get("ingress")
        and not spec.get("egress")
    )
