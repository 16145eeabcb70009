"""Validation of the names a user types: services and owning teams."""

from __future__ import annotations

import re

from platform_cli.errors import UsageError

DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
TEAM = re.compile(r"^[a-z][a-z0-9-]{1,38}$")
RESERVED = frozenset(
    {
        "default",
        "kubernetes",
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "plat",
        "platform",
        "gitops",
        "argocd",
        "flux-system",
        "monitoring",
        "test",
        "null",
    }
)


def check_service_name(name: str, taken: frozenset[str] = frozenset()) -> str:
    """Return `name` if it can name a Kubernetes Service and a repo; raise UsageError otherwise."""
    if not name:
        raise UsageError("service name is empty", hint="pass a name, e.g. plat new service payments-api")
    if len(name) > 63:
        raise UsageError(f"service name {name!r} is {len(name)} characters long (max 63)", hint="choose a shorter name")
    if not DNS_1035.match(name):
        raise UsageError(
            f"service name {name!r} is not a DNS-1035 label",
            hint="use lowercase letters, digits and '-', start with a letter, end with a letter or digit",
        )
    if name in RESERVED or name in taken:
        raise UsageError(f"service name {name!r} is reserved", hint="choose another name")
    return name


def check_owner(owner: str) -> str:
    if not TEAM.match(owner or ""):
        raise UsageError(
            f"owner {owner!r} is not a valid team slug",
            hint="use the team's slug: 2-39 lowercase letters, digits or '-', starting with a letter",
        )
    return owner
