{{- define "mlwarden.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "mlwarden.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "mlwarden.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "mlwarden.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "mlwarden.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mlwarden.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "mlwarden.serverURL" -}}
{{- printf "http://%s.%s.svc:%v" (include "mlwarden.fullname" .) .Release.Namespace .Values.service.port -}}
{{- end -}}

{{/* Env vars from existing Secrets: a list of (NAME ref) pairs; refs without a Secret name are left out. */}}
{{- define "mlwarden.secretEnv" -}}
{{- range $pair := . }}
{{- $name := index $pair 0 }}
{{- $ref := index $pair 1 }}
{{- if $ref.name }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name }}
      key: {{ required (printf "the key in Secret %s for %s" $ref.name $name) $ref.key }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "mlwarden.replicas" -}}
{{- if kindIs "invalid" .Values.replicaCount -}}
{{- eq .Values.storage.mode "embedded" | ternary 1 2 -}}
{{- else -}}
{{- .Values.replicaCount -}}
{{- end -}}
{{- end -}}

{{- define "mlwarden.validate" -}}
{{- if and (eq .Values.storage.mode "embedded") (gt (include "mlwarden.replicas" . | int) 1) -}}
{{- fail (printf "storage.mode embedded runs chDB in one process on one data directory, so replicaCount must be 1 (got %v); use storage.mode external for more replicas" .Values.replicaCount) -}}
{{- end -}}
{{- if and (eq .Values.storage.mode "external") (not .Values.storage.external.url) -}}
{{- fail "storage.mode external needs storage.external.url (the ClickHouse HTTP(S) endpoint)" -}}
{{- end -}}
{{- end -}}

{{- define "mlwarden.requireMonitoringAPI" -}}
{{- if not (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") -}}
{{- fail "serviceMonitor.enabled and prometheusRule.enabled need the monitoring.coreos.com/v1 API (prometheus-operator CRDs); install them, or with helm template pass --api-versions monitoring.coreos.com/v1" -}}
{{- end -}}
{{- end -}}

{{- define "mlwarden.specFiles" -}}
{{- $dir := index . 0 -}}
{{- $files := list -}}
{{- range $name := keys (index . 1) | sortAlpha -}}
{{- $files = append $files (printf "%s/%s" $dir $name) -}}
{{- end -}}
{{- toJson $files -}}
{{- end -}}

{{/* The mlwarden config file: the user's sections plus what the chart decides (paths, store, cluster, Lease). */}}
{{- define "mlwarden.config" -}}
{{- $cfg := deepCopy .Values.config -}}
{{- $_ := set $cfg "server" (merge (dict "host" "0.0.0.0" "port" 8080) (default dict $cfg.server)) -}}
{{- $store := dict "database" "mlwarden" "retention_days" .Values.storage.retentionDays -}}
{{- if eq .Values.storage.mode "embedded" -}}
{{- $_ := set $store "data_dir" "/var/lib/mlwarden/data" -}}
{{- else -}}
{{- $ext := .Values.storage.external -}}
{{- $_ := set $store "url" $ext.url -}}
{{- $_ := set $store "database" $ext.database -}}
{{- if $ext.user }}{{ $_ := set $store "user" $ext.user }}{{ end -}}
{{- if $ext.cluster }}{{ $_ := set $store "cluster" $ext.cluster }}{{ end -}}
{{- if $ext.tls.secretName -}}
{{- $tls := dict "ca_file" (printf "/etc/mlwarden/clickhouse-tls/%s" $ext.tls.caKey) -}}
{{- if $ext.tls.certKey }}{{ $_ := set $tls "cert_file" (printf "/etc/mlwarden/clickhouse-tls/%s" $ext.tls.certKey) }}{{ end -}}
{{- if $ext.tls.keyKey }}{{ $_ := set $tls "key_file" (printf "/etc/mlwarden/clickhouse-tls/%s" $ext.tls.keyKey) }}{{ end -}}
{{- $_ := set $store "tls" $tls -}}
{{- end -}}
{{- end -}}
{{- $_ := set $cfg "store" $store -}}
{{- $slo := default dict $cfg.slo -}}
{{- $_ := set $slo "files" (include "mlwarden.specFiles" (list "/etc/mlwarden/slos" .Values.slos) | fromJsonArray) -}}
{{- $_ := set $cfg "slo" $slo -}}
{{- $orch := default dict $cfg.orchestration -}}
{{- $_ := set $orch "policy_files" (include "mlwarden.specFiles" (list "/etc/mlwarden/policies" .Values.policies) | fromJsonArray) -}}
{{- $_ := set $orch "cluster" "in-cluster" -}}
{{- $_ := set $orch "lease" (merge (dict "namespace" .Release.Namespace) (default dict $orch.lease)) -}}
{{- $_ := set $cfg "orchestration" $orch -}}
{{- toYaml $cfg -}}
{{- end -}}
