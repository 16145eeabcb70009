{{/* Platform-owned chart helpers. Names are stable (the chart name is the service name),
so metric job labels, NetworkPolicy selectors and SLO rules agree across releases. */}}

{{- define "app.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "app.fullname" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "app.labels" -}}
{{ include "app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: {{ .Values.component }}
app.kubernetes.io/part-of: {{ .Values.system }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
plat.dev/owner: {{ .Values.owner }}
{{- end -}}

{{- define "app.image" -}}
{{- $digest := required "image.digest is required: the deploy workflow sets it to the digest the build pushed (sha256:...)" .Values.image.digest -}}
{{- if not (regexMatch "^sha256:[a-f0-9]{64}$" $digest) -}}
{{- fail (printf "image.digest must look like sha256:<64 hex>, got %q" $digest) -}}
{{- end -}}
{{- printf "%s@%s" .Values.image.repository $digest -}}
{{- end -}}

{{/* Pod-level security context: Pod Security Standards "restricted". */}}
{{- define "app.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.uid }}
runAsGroup: {{ .Values.securityContext.uid }}
fsGroup: {{ .Values.securityContext.uid }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "app.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.uid }}
runAsGroup: {{ .Values.securityContext.uid }}
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Secrets arrive as files: one volume per ExternalSecret, mounted read-only. */}}
{{- define "app.secretVolumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
{{- range .Values.externalSecrets }}
- name: secret-{{ .name }}
  secret:
    secretName: {{ include "app.fullname" $ }}-{{ .name }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "app.secretMounts" -}}
- name: tmp
  mountPath: /tmp
{{- range .Values.externalSecrets }}
- name: secret-{{ .name }}
  mountPath: /var/run/secrets/app/{{ .name }}
  readOnly: true
{{- end }}
{{- end -}}

{{- define "app.env" -}}
{{- range $name, $value := .Values.env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}
