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
      automountServiceAccountToken: false
      {{- with $ctx.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- range . }}
        - name: {{ . }}
        {{- end }}
      {{- end }}
      securityContext:
        {{- include "thebot.podSecurityContext" (dict "component" $v "ctx" $ctx) | nindent 8 }}
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
          image: {{ include "thebot.image" (dict "image" $v.image "fallback" $v.image "ctx" $ctx) | quote }}
          imagePullPolicy: {{ include "thebot.pullPolicy" (dict "image" $v.image "ctx" $ctx) }}
          {{- with $v.args }}
          args:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          ports:
            - name: {{ .name }}
              containerPort: {{ $v.containerPort }}
              protocol: TCP
          env:
            {{- range $env, $key := $v.secretEnv }}
            - name: {{ $env }}
              valueFrom:
                secretKeyRef:
                  name: {{ include "thebot.secretName" $ctx }}
                  key: {{ $key }}
            {{- end }}
            {{- range $env, $value := $v.env }}
            - name: {{ $env }}
              value: {{ $value | quote }}
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
            - name: data
              mountPath: {{ $v.persistence.mountPath }}
            {{- include "thebot.writableMounts" $v | nindent 12 }}
      volumes:
        {{- include "thebot.writableVolumes" (dict "component" $v "ctx" $ctx) | nindent 8 }}
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
