{{/*
The databases (postgresql, redis): one template, differing by values. Data lives on a
volumeClaimTemplate, whose PVCs a StatefulSet never deletes: uninstall and reinstall keep the data.
Called as (dict "name" "postgresql" "values" .Values.postgresql "ctx" $).
*/}}
{{- define "thebot.statefulset" -}}
{{- $ctx := .ctx -}}
{{- $v := .values -}}
{{- $scope := dict "component" .name "ctx" $ctx -}}
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {{ include "thebot.componentName" $scope }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "thebot.labels" $scope | nindent 4 }}
spec:
  replicas: 1
  serviceName: {{ include "thebot.componentName" $scope }}-headless
  podManagementPolicy: OrderedReady
  updateStrategy:
    type: RollingUpdate
  selector:
    matchLabels:
      {{- include "thebot.selectorLabels" $scope | nindent 6 }}
  template:
    {{- include "thebot.pod" (dict "scope" $scope "component" $v "ctx" $ctx "checksums" true "automountToken" false
          "container" (dict "name" .name "image" $v.image "args" $v.args
            "port" (dict "name" .name "containerPort" $v.containerPort) "secretEnv" $v.secretEnv "env" $v.env
            "livenessProbe" $v.livenessProbe "readinessProbe" $v.readinessProbe "resources" $v.resources
            "mounts" (list (dict "name" "data" "mountPath" $v.persistence.mountPath)))) | nindent 4 }}
  volumeClaimTemplates:
    - metadata:
        name: data
        labels:
          {{- include "thebot.selectorLabels" $scope | nindent 10 }}
      spec:
        accessModes:
          {{- toYaml $v.persistence.accessModes | nindent 10 }}
        {{- with $v.persistence.storageClass }}
        storageClassName: {{ . }}
        {{- end }}
        resources:
          requests:
            storage: {{ $v.persistence.size }}
{{- end -}}
