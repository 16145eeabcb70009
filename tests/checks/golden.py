"""A tiny golden-path template that passes every doctor rule, built on the mini template of conftest.

The conftest mini template is deliberately bare (no chart to render, no catalog entry); doctor's
"a fresh service is clean" needs one that is complete, so this adds those files to it.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_mini_platform

PLAT_YML = """\
ownership:
  platform: [".github/**", "chart/templates/**", "chart/Chart.yaml", ".copier-answers.yml", "terraform/backend.tf"]
  shared: ["chart/values*.yaml", "scripts/**", "terraform/**", "slo.yaml", "catalog-info.yaml"]
  team: ["app/**", "README.md"]
"""

FILES = {
    "chart/Chart.yaml.jinja": "apiVersion: v2\nname: {{ service_name }}\nversion: 0.1.0\n",
    "chart/values.yaml.jinja": """\
port: {{ port }}
image:
  repository: ghcr.io/{{ org }}/{{ service_name }}
  digest: ""
replicaCount: 2
autoscaling:
  enabled: true
resources:
  requests: {cpu: 100m, memory: 128Mi, ephemeral-storage: 64Mi}
  limits: {cpu: 500m, memory: 256Mi, ephemeral-storage: 128Mi}
""",
    "chart/templates/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  namespace: {{ .Release.Namespace }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      app: {{ .Release.Name }}
  template:
    metadata:
      labels:
        app: {{ .Release.Name }}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: app
          image: "{{ .Values.image.repository }}@{{ required "image.digest" .Values.image.digest }}"
          imagePullPolicy: Always
          ports:
            - name: http
              containerPort: {{ .Values.port }}
          livenessProbe:
            httpGet: {path: /healthz, port: http}
          readinessProbe:
            httpGet: {path: /readyz, port: http}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            privileged: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: [ALL]
""",
    "chart/templates/hpa.yaml": """\
{{- if .Values.autoscaling.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .Release.Name }}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: {{ .Release.Name }}}
  minReplicas: 2
  maxReplicas: 4
{{- end }}
""",
    "chart/templates/pdb.yaml": """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .Release.Name }}
spec:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      app: {{ .Release.Name }}
""",
    "chart/templates/networkpolicy.yaml": """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-all
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
""",
    "chart/templates/prometheusrule.yaml": """\
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: {{ .Release.Name }}-slos
spec:
  groups:
    - name: slo
      rules:
        - record: slo:errors:ratio_rate5m
          expr: sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))
""",
    "slo.yaml.jinja": """\
version: prometheus/v1
service: {{ service_name }}
slos:
  - name: requests-availability
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{job="{{ service_name }}",code=~"5.."}[{{ '{{.window}}' }}]))
        total_query: sum(rate(http_requests_total{job="{{ service_name }}"}[{{ '{{.window}}' }}]))
    alerting:
      name: HighErrorRate
""",
    "catalog-info.yaml.jinja": """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {{ service_name }}
spec:
  type: service
  lifecycle: {{ lifecycle }}
  owner: group:{{ owner }}
""",
    ".github/CODEOWNERS.jinja": "* @{{ org }}/{{ owner }}\n",
    ".github/workflows/ci.yml.jinja": """\
on: push
permissions: {}
jobs:
  build:
    permissions:
      contents: read
    uses: {{ org }}/{{ platform_repo }}/.github/workflows/build.yml@{{ platform_ref }} # v{{ platform_version }}
""",
    "terraform/backend.tf": """\
terraform {
  required_version = ">= 1.11"
  backend "s3" {
    bucket       = "acme-tfstate"
    key          = "service.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}
""",
    "terraform/providers.tf.jinja": """\
provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      team          = "{{ owner }}"
      service       = "{{ service_name }}"
      environment   = var.environment
      "cost-center" = "engineering"
    }
  }
}
""",
    "terraform/variables.tf": 'variable "environment" {\n  type = string\n}\n',
}


def write_golden_platform(root: Path, version: str = "0.1.0") -> Path:
    write_mini_platform(root, version)
    template = root / "templates" / "mini"
    for rel, content in FILES.items():
        path = template / "template" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    (template / "template" / "chart" / "values.yaml.jinja").write_text(FILES["chart/values.yaml.jinja"])
    (template / "plat.yml").write_text(PLAT_YML)
    return root
