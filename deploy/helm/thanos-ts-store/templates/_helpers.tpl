{{/* Chart name, overridable. */}}
{{- define "thanos-ts-store.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-store, or the release name alone when it already says "store". */}}
{{- define "thanos-ts-store.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "store" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-store" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "thanos-ts-store.selectorLabels" -}}
app.kubernetes.io/name: {{ include "thanos-ts-store.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: store
{{- end -}}

{{- define "thanos-ts-store.labels" -}}
{{ include "thanos-ts-store.selectorLabels" . }}
app.kubernetes.io/part-of: thanos-ts
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- if .Values.commonLabels }}
{{ toYaml .Values.commonLabels }}
{{- end }}
{{- end -}}

{{- define "thanos-ts-store.objstoreSecret" -}}
{{- if .Values.existingObjstoreSecret -}}
{{- .Values.existingObjstoreSecret -}}
{{- else -}}
{{- printf "%s-objstore" (include "thanos-ts-store.fullname" .) -}}
{{- end -}}
{{- end -}}
