"""Validation of the names and values a user types or configures: services, teams, environments,
organisations, repos, cron schedules. Every pattern is matched whole (`fullmatch`: `$` would let a
trailing newline through), and every name is checked against the longest name derived from it."""

from __future__ import annotations

import re
from collections.abc import Iterable

from platform_cli.errors import ConfigError, UsageError

DNS_1035 = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
TEAM = re.compile(r"[a-z][a-z0-9-]{0,37}[a-z0-9]")  # 2-39 characters; ends like a Kubernetes label value
ORG = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,37}[A-Za-z0-9])?")  # a GitHub organisation (or user) name
REPO = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")  # a GitHub repository name (no '/', no leading '.')
HELM_RELEASE_MAX = 53  # helm refuses longer release names; Argo CD uses the Application name as release
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
    if not DNS_1035.fullmatch(name):
        raise UsageError(
            f"service name {name!r} is not a DNS-1035 label",
            hint="use lowercase letters, digits and '-', start with a letter, end with a letter or digit",
        )
    if name in RESERVED or name in taken:
        raise UsageError(f"service name {name!r} is reserved", hint="choose another name")
    return name


def check_owner(owner: str) -> str:
    if not isinstance(owner, str) or not TEAM.fullmatch(owner):
        raise UsageError(
            f"owner {owner!r} is not a valid team slug",
            hint="use the team's slug: 2-39 lowercase letters, digits or '-', starting with a letter "
            "and ending with a letter or digit",
        )
    return owner


def check_derived(service: str, environments: Iterable[str]) -> None:
    """The names plat derives from a service: per environment, the namespace and the Argo CD
    Application `<service>-<env>`, which Argo CD also uses as the Helm release name (max 53)."""
    for env in sorted(environments, key=len, reverse=True)[:1]:  # the longest derived name decides
        derived = f"{service}-{env}"
        if len(derived) > HELM_RELEASE_MAX:
            room = HELM_RELEASE_MAX - len(env) - 1
            raise UsageError(
                f"service name {service!r} is too long: its namespace and Helm release {derived!r} would be "
                f"{len(derived)} characters (Helm allows {HELM_RELEASE_MAX})",
                hint=f"choose a name of at most {room} characters (environment {env!r} is added to it)",
            )


def check_environment(env: str, origin: str) -> str:
    """An environment name: part of namespaces, file names (values-<env>.yaml) and label values."""
    if not isinstance(env, str) or len(env) > 20 or not DNS_1035.fullmatch(env):
        raise ConfigError(
            f"environment {env!r} from {origin} is not a valid environment name",
            hint="use 1-20 lowercase letters, digits and '-', starting with a letter, e.g. staging",
        )
    return env


def check_setting_name(key: str, value: str, origin: str) -> str:
    """`org`, `platform_repo`, `gitops_repo`: names on the forge (and folders of the local forge)."""
    pattern, what = (ORG, "a GitHub organisation name") if key == "org" else (REPO, "a repository name")
    if not pattern.fullmatch(value) or value.endswith(".git"):
        raise ConfigError(
            f"setting {key} = {value!r} (from {origin}) is not {what}",
            hint="use letters, digits, '-', '_' or '.' (no '/', no leading '.'; an org: letters, digits, '-')",
        )
    return value


def check_team_setting(key: str, value: str, origin: str) -> str:
    """`platform_team`, `default_owner`: a team slug, or empty."""
    if value and not TEAM.fullmatch(value):
        raise ConfigError(
            f"setting {key} = {value!r} (from {origin}) is not a team slug",
            hint="2-39 lowercase letters, digits or '-', starting with a letter, ending with a letter or digit",
        )
    return value


def check_schedule(expression: str) -> str:
    """A five-field cron expression, parsed by cronsim (what Kubernetes CronJobs accept, in UTC)."""
    import datetime as dt

    from cronsim import CronSim, CronSimError

    fields = expression.split(" ") if isinstance(expression, str) else []
    problem = "" if len([f for f in fields if f]) == 5 and "\n" not in expression else "it needs five fields"
    if not problem:
        try:
            CronSim(expression, dt.datetime(2000, 1, 1))
        except CronSimError as exc:
            problem = str(exc)
    if problem:
        raise UsageError(
            f"schedule {expression!r} is not a cron expression: {problem}",
            hint='five fields: minute hour day-of-month month day-of-week, e.g. --set "schedule=*/15 * * * *"',
        )
    return expression
