"""The chart in the GitOps repo's `tenancy/` that renders every team's tenancy from the service records.

Each registration writes these files with the same content (a fixed text made from `tenancy.py`'s
rules), so two open registrations add or change them identically and git merges them cleanly. The
templates read `tenancy/services/*.yaml` with `.Files.Glob` and render what `tenancy.project` and
`tenancy.namespace_objects` build; they refuse (helm fails, Argo CD shows the error) a record whose
file name is not its service, a namespace that is not `<service>-<environment>`, or a namespace that
two records claim — so no record can reach into another service's, or another team's, namespace.
A record's `extraKinds` (an escape hatch the platform team reviews) add namespaced kinds to its team's
project; `tenancy/extras/*.yaml` are manifests the platform team adds by hand, applied as written.
"""

from __future__ import annotations

import json

from platform_cli import yamlio
from platform_cli.gitops import tenancy

DO_NOT_EDIT = "{{- /* Written by plat (every registration writes it the same); do not edit. */ -}}\n"

CHART = """apiVersion: v2
name: tenancy
description: Team tenancy rendered from tenancy/services/*.yaml (written by plat; do not edit)
type: application
version: 1.0.0
"""

# Reads every record once, checks it, and groups the team's repos, namespaces and groups.
_READ = """{{- $teams := dict }}
{{- $owners := dict }}
{{- range $path, $_ := .Files.Glob "services/*.yaml" }}
{{- $s := $.Files.Get $path | fromYaml }}
{{- $name := required (printf "%s: no service" $path) $s.service }}
{{- if ne (base $path) (printf "%s.yaml" $name) }}{{ fail (printf "%s names service %s" $path $name) }}{{ end }}
{{- $team := required (printf "%s: no team" $path) $s.team }}
{{- $t := get $teams $team | default (dict "repos" (list) "namespaces" (list) "groups" (list) "kinds" (list)) }}
{{- $repos := append $t.repos (required (printf "%s: no repoURL" $path) $s.repoURL) }}
{{- if $s.platformRepoURL }}{{ $repos = append $repos $s.platformRepoURL }}{{ end }}
{{- $nss := $t.namespaces }}
{{- range $s.namespaces }}
{{- if ne .name (printf "%s-%s" $name .environment) }}
{{- fail (printf "%s: namespace %v is not %s-<environment>" $path .name $name) }}
{{- end }}
{{- if hasKey $owners .name }}
{{- fail (printf "namespace %s is claimed by %s and %s" .name (get $owners .name) $name) }}
{{- end }}
{{- $_ := set $owners .name $name }}
{{- $nss = append $nss .name }}
{{- end }}
{{- $groups := $t.groups }}
{{- if $s.group }}{{ $groups = append $groups $s.group }}{{ end }}
{{- $kinds := $t.kinds }}
{{- range $s.extraKinds }}
{{- $kind := required (printf "%s: an extraKinds entry without kind" $path) .kind }}
{{- $kinds = append $kinds (printf "%s/%s" (default "" .group) $kind) }}
{{- end }}
{{- $_ := set $teams $team (dict "repos" $repos "namespaces" $nss "groups" $groups "kinds" $kinds) }}
{{- end }}
"""


def _projects() -> str:
    kinds = "".join(f"    - group: {json.dumps(g)}\n      kind: {k}\n" for g, k in tenancy.GOLDEN_KINDS)
    policies = "".join(
        f"        - {{{{ printf {json.dumps(tenancy.policy('%s', verb))} $team $team | quote }}}}\n"
        for verb in tenancy.PROJECT_VERBS
    )
    return (
        DO_NOT_EDIT
        + _READ
        + """{{- range $team := keys $teams | sortAlpha }}
{{- $t := get $teams $team }}
{{- $groups := $t.groups | uniq | sortAlpha }}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  name: {{ $team | quote }}
  namespace: """
        + tenancy.ARGOCD_NS
        + f"""
  labels:
    {tenancy.TEAM_LABEL}: {{{{ $team | quote }}}}
spec:
  description: {{{{ printf "Services of team %s, registered by plat" $team | quote }}}}
  sourceRepos: {{{{- $t.repos | uniq | sortAlpha | toYaml | nindent 4 }}}}
  destinations:
  {{{{- range $ns := $t.namespaces | sortAlpha }}}}
    - server: {tenancy.IN_CLUSTER}
      namespace: {{{{ $ns | quote }}}}
  {{{{- else }}}} []
  {{{{- end }}}}
  clusterResourceWhitelist: []
  namespaceResourceWhitelist:
{kinds}  {{{{- range $k := $t.kinds | uniq | sortAlpha }}}}
    - group: {{{{ first (splitList "/" $k) | quote }}}}
      kind: {{{{ last (splitList "/" $k) | quote }}}}
  {{{{- end }}}}
  roles:
    - name: team
      description: {{{{ printf "members of %s" (join ", " $groups) | quote }}}}
      groups: {{{{- $groups | toYaml | nindent 8 }}}}
      policies:
{policies}{{{{- end }}}}
"""
    )


def _namespaces() -> str:
    pod_security = " ".join(f"{json.dumps(k)} {json.dumps(v)}" for k, v in tenancy.POD_SECURITY.items())
    rules = "".join("  " + line + "\n" for line in yamlio.dump(tenancy.role_rules()).splitlines())
    meta = """metadata:
  name: {name}
  namespace: {{{{ .name | quote }}}}
  labels: {{{{- toYaml $labels | nindent 4 }}}}
"""
    return (
        DO_NOT_EDIT
        + """{{- range $path, $_ := .Files.Glob "services/*.yaml" }}
{{- $s := $.Files.Get $path | fromYaml }}
{{- range $s.namespaces }}
{{- $labels := dict """
        + f'"{tenancy.TEAM_LABEL}" $s.team "{tenancy.SERVICE_LABEL}" $s.service "{tenancy.ENV_LABEL}" .environment'
        + """ }}
---
apiVersion: v1
kind: Namespace
metadata:
  name: {{ .name | quote }}
  labels: {{- merge (dict """
        + pod_security
        + """) $labels | toYaml | nindent 4 }}
---
apiVersion: v1
kind: ResourceQuota
"""
        + meta.format(name="plat-quota")
        + """spec:
  hard: {{- .quota | default dict | toYaml | nindent 4 }}
---
apiVersion: v1
kind: LimitRange
"""
        + meta.format(name="plat-limits")
        + """spec:
  limits:
    - {{- .limits | default dict | toYaml | nindent 6 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
"""
        + meta.format(name=tenancy.ROLE)
        + "rules:\n"
        + rules
        + """---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
"""
        + meta.format(name=tenancy.ROLE)
        + f"""roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {tenancy.ROLE}
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: Group
    name: {{{{ $s.group | quote }}}}
{{{{- end }}}}
{{{{- end }}}}
"""
    )


# The platform team's reviewed additions (an escape hatch: docs/escape-hatches.md), applied as written.
EXTRAS = (
    DO_NOT_EDIT
    + """{{- range $path, $_ := .Files.Glob "extras/*.yaml" }}
---
{{ $.Files.Get $path }}
{{- end }}
"""
)


def files() -> dict[str, str]:
    """The chart's files, path in the GitOps repo -> text (the same for every registration)."""
    return {
        "tenancy/Chart.yaml": CHART,
        "tenancy/templates/projects.yaml": _projects(),
        "tenancy/templates/namespaces.yaml": _namespaces(),
        "tenancy/templates/extras.yaml": EXTRAS,
    }
