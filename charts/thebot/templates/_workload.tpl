{{/*
The one template of the app components (backend, frontend, celery, celery-beat): they differ only by
values. Called as (dict "name" "celery-beat" "values" .Values.celeryBeat "ctx" $).
*/}}

{{/* Replicas the component runs with at least: the HPA's floor when autoscaling, else replicaCount. */}}
{{- define "thebot.minReplicas" -}}
{{- if .values.autoscaling.enabled -}}{{ .values.autoscaling.minReplicas }}{{- else -}}{{ .values.replicaCount }}{{- end -}}
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
    {{- toYaml $v.strategy | nindent 4 }}
  selector:
    matchLabels:
      {{- include "thebot.selectorLabels" $scope | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "thebot.labels" $scope | nindent 8 }}
      annotations:
        {{- include "thebot.checksums" $ctx | nindent 8 }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "thebot.serviceAccountName" $ctx }}
      automountServiceAccountToken: {{ $ctx.Values.serviceAccount.automountToken }}
      {{- with $ctx.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      securityContext:
        {{- include "thebot.podSecurityContext" (dict "component" $v "ctx" $ctx) | nindent 8 }}
      {{- if $v.affinity }}
      affinity:
        {{- toYaml $v.affinity | nindent 8 }}
      {{- else if gt (int (include "thebot.minReplicas" .)) 1 }}
      affinity:
        podAntiAffinity:
          # Preferred, not required: spread replicas over nodes, but still schedule on a small cluster.
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                topologyKey: kubernetes.io/hostname
                labelSelector:
                  matchLabels:
                    {{- include "thebot.selectorLabels" $scope | nindent 20 }}
      {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      containers:
        - name: {{ .name }}
          image: {{ include "thebot.image" (dict "image" $v.image "fallback" $ctx.Values.backend.image "ctx" $ctx) | quote }}
          imagePullPolicy: {{ include "thebot.pullPolicy" (dict "image" $v.image "ctx" $ctx) }}
          {{- with $v.command }}
          command:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          {{- with $v.args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: http
              containerPort: {{ $v.containerPort }}
              protocol: TCP
          envFrom:
            {{- include "thebot.appEnvFrom" (dict "credentials" $v.credentials "ctx" $ctx) | nindent 12 }}
          {{- if or $v.credentials $v.extraEnv }}
          env:
            {{- if $v.credentials }}
            {{- include "thebot.appEnv" $ctx | nindent 12 }}
            {{- end }}
            {{- with $v.extraEnv }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
          {{- end }}
          livenessProbe:
            {{- toYaml $v.livenessProbe | nindent 12 }}
          readinessProbe:
            {{- toYaml $v.readinessProbe | nindent 12 }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- include "thebot.containerSecurityContext" (dict "component" $v "ctx" $ctx) | nindent 12 }}
          volumeMounts:
            {{- include "thebot.writableMounts" $v | nindent 12 }}
            {{- include "thebot.sharedMounts" (dict "names" $v.volumes "ctx" $ctx) | nindent 12 }}
      volumes:
        {{- include "thebot.writableVolumes" (dict "component" $v "ctx" $ctx) | nindent 8 }}
        {{- include "thebot.sharedVolumes" (dict "names" $v.volumes "ctx" $ctx) | nindent 8 }}
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
