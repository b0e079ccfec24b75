{{/* Chart name, overridable. */}}
{{- define "thanos-ts-compact.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-compact, or the release name alone when it already says "compact". */}}
{{- define "thanos-ts-compact.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "compact" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-compact" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "thanos-ts-compact.selectorLabels" -}}
app.kubernetes.io/name: {{ include "thanos-ts-compact.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: compact
{{- end -}}

{{- define "thanos-ts-compact.labels" -}}
{{ include "thanos-ts-compact.selectorLabels" . }}
app.kubernetes.io/part-of: thanos-ts
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- if .Values.commonLabels }}
{{ toYaml .Values.commonLabels }}
{{- end }}
{{- end -}}

{{- define "thanos-ts-compact.objstoreSecret" -}}
{{- if .Values.existingObjstoreSecret -}}
{{- .Values.existingObjstoreSecret -}}
{{- else -}}
{{- printf "%s-objstore" (include "thanos-ts-compact.fullname" .) -}}
{{- end -}}
{{- end -}}
