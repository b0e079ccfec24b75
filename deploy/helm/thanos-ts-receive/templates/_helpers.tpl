{{/* Chart name, overridable. */}}
{{- define "thanos-ts-receive.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The StatefulSet's name, so pods are <name>-N: <release>-receive, or the release name alone
when it already says "receive".
*/}}
{{- define "thanos-ts-receive.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains "receive" .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-receive" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The headless Service that gives each pod a stable DNS name. */}}
{{- define "thanos-ts-receive.headless" -}}
{{- printf "%s-headless" (include "thanos-ts-receive.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "thanos-ts-receive.selectorLabels" -}}
app.kubernetes.io/name: {{ include "thanos-ts-receive.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: receive
{{- end -}}

{{- define "thanos-ts-receive.labels" -}}
{{ include "thanos-ts-receive.selectorLabels" . }}
app.kubernetes.io/part-of: thanos-ts
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- if .Values.commonLabels }}
{{ toYaml .Values.commonLabels }}
{{- end }}
{{- end -}}

{{- define "thanos-ts-receive.objstoreSecret" -}}
{{- if .Values.existingObjstoreSecret -}}
{{- .Values.existingObjstoreSecret -}}
{{- else -}}
{{- printf "%s-objstore" (include "thanos-ts-receive.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/*
The hashrings file: one ring whose endpoints are the StatefulSet's pods, spelled exactly
as each pod's --receive.local-endpoint (<pod>.<headless service>:<grpc port>).
*/}}
{{- define "thanos-ts-receive.hashrings" -}}
{{- if .Values.receive.hashrings -}}
{{- toJson .Values.receive.hashrings -}}
{{- else -}}
{{- $fullname := include "thanos-ts-receive.fullname" . -}}
{{- $headless := include "thanos-ts-receive.headless" . -}}
{{- $endpoints := list -}}
{{- range $i := until (int .Values.receive.replicaCount) -}}
{{- $endpoints = append $endpoints (printf "%s-%d.%s:%d" $fullname $i $headless (int $.Values.receive.service.ports.grpc)) -}}
{{- end -}}
{{- $ring := dict "hashring" .Values.receive.hashringName "algorithm" .Values.receive.hashringsAlgorithm "endpoints" $endpoints -}}
{{- toJson (list $ring) -}}
{{- end -}}
{{- end -}}
