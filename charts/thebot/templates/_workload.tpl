{{/*
The one template of the app components (backend, frontend, celery, celery-beat): they differ only by
values. Called as (dict "name" "celery-beat" "values" $values "ctx" $), $values the section as thebot.values
gives it (appDefaults with the component's own block merged over it).
*/}}

{{/* Replicas the component runs with at least: the HPA's floor when autoscaling, else replicaCount. */}}
{{- define "thebot.minReplicas" -}}
{{- if .values.autoscaling.enabled -}}{{ .values.autoscaling.minReplicas }}{{- else -}}{{ .values.replicaCount }}{{- end -}}
{{- end -}}

{{/*
The pods' affinity: the component's, else, with more than one replica, a preference (not a requirement:
a small cluster still schedules them) for spreading the replicas over nodes.
*/}}
{{- define "thebot.affinity" -}}
{{- if .values.affinity -}}
{{- toYaml .values.affinity -}}
{{- else if gt (int (include "thebot.minReplicas" .)) 1 -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "thebot.selectorLabels" (dict "component" .name "ctx" .ctx) | nindent 12 }}
{{- end -}}
{{- end -}}

{{- define "thebot.deployment" -}}
{{- $ctx := .ctx -}}
{{- $v := .values -}}
{{- $scope := dict "component" .name "ctx" $ctx -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "thebot.componentName" $scope }}
  namespace: {{ $ctx.Release.Namespace }}
  labels:
    {{- include "thebot.labels" $scope | nindent 4 }}
spec:
  {{- if not $v.autoscaling.enabled }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  strategy:
    {{- /* Recreate takes no rollingUpdate: the defaults' would make the object invalid. */}}
    {{- toYaml (ternary (omit $v.strategy "rollingUpdate") $v.strategy (eq $v.strategy.type "Recreate")) | nindent 4 }}
  selector:
    matchLabels:
      {{- include "thebot.selectorLabels" $scope | nindent 6 }}
  template:
    {{- include "thebot.pod" (dict "scope" $scope "component" $v "ctx" $ctx "checksums" true
          "automountToken" $ctx.Values.serviceAccount.automountToken "affinity" (include "thebot.affinity" . | fromYaml)
          "sharedVolumes" $v.volumes
          "container" (dict "name" .name "image" (include "thebot.componentImage" (dict "image" $v.image "ctx" $ctx) | fromYaml)
            "command" $v.command "args" $v.args "port" (dict "name" "http" "containerPort" $v.containerPort)
            "config" true "credentials" $v.credentials "extraEnv" $v.extraEnv
            "livenessProbe" $v.livenessProbe "readinessProbe" $v.readinessProbe "resources" $v.resources))
      | nindent 4 }}
{{- end -}}

{{- define "thebot.service" -}}
{{- $scope := dict "component" .name "ctx" .ctx -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "thebot.componentName" $scope }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "thebot.labels" $scope | nindent 4 }}
spec:
  type: ClusterIP
  {{- if .headless }}
  clusterIP: None
  publishNotReadyAddresses: true
  {{- end }}
  selector:
    {{- include "thebot.selectorLabels" $scope | nindent 4 }}
  ports:
    - name: {{ .portName | default "http" }}
      port: {{ .values.service.port }}
      targetPort: {{ .portName | default "http" }}
      protocol: TCP
{{- end -}}

{{- define "thebot.hpa" -}}
{{- $scope := dict "component" .name "ctx" .ctx -}}
{{- $a := .values.autoscaling -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "thebot.componentName" $scope }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "thebot.labels" $scope | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "thebot.componentName" $scope }}
  minReplicas: {{ $a.minReplicas }}
  maxReplicas: {{ $a.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $a.targetCPUUtilizationPercentage }}
    {{- if $a.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $a.targetMemoryUtilizationPercentage }}
    {{- end }}
{{- end -}}

{{- define "thebot.pdb" -}}
{{- $scope := dict "component" .name "ctx" .ctx -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "thebot.componentName" $scope }}
  namespace: {{ .ctx.Release.Namespace }}
  labels:
    {{- include "thebot.labels" $scope | nindent 4 }}
spec:
  minAvailable: {{ .values.pdb.minAvailable }}
  selector:
    matchLabels:
      {{- include "thebot.selectorLabels" $scope | nindent 6 }}
{{- end -}}
