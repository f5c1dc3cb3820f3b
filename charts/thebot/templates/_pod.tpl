{{/*
The one pod template of the chart: the apps' Deployments, the databases' StatefulSets and the hook Jobs
differ only in what they pass. Called as (dict
  "scope"          (dict "component" "backend" "ctx" $): labels
  "component"      the component's values: podSecurityContext, writableDirs, podAnnotations, nodeSelector, tolerations
  "container"      what thebot.container takes (below)
  "initContainers" a list of the same, or empty
  "checksums"      true where a change of config or credentials must roll the pods (not for hook jobs)
  "podLabels"      extra labels of the pods
  "restartPolicy"  empty, or Never for jobs
  "automountToken" whether the pods mount the service account's token
  "affinity"       the pods' affinity, or empty
  "sharedVolumes"  names of the shared claims mounted (static, media)
  "ctx" $)
*/}}
{{- define "thebot.pod" -}}
{{- $ctx := .ctx -}}
{{- $component := .component -}}
metadata:
  labels:
    {{- include "thebot.labels" .scope | nindent 4 }}
    {{- with .podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if .checksums }}
  annotations:
    {{- include "thebot.checksums" (dict "secret" (or .container.credentials .container.secretEnv $component.secretFiles) "ctx" $ctx) | nindent 4 }}
    {{- with $component.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  {{- with .restartPolicy }}
  restartPolicy: {{ . }}
  {{- end }}
  serviceAccountName: {{ include "thebot.serviceAccountName" $ctx }}
  automountServiceAccountToken: {{ .automountToken }}
  {{- with $ctx.Values.imagePullSecrets }}
  imagePullSecrets:
    {{- range . }}
    - name: {{ . }}
    {{- end }}
  {{- end }}
  securityContext:
    {{- include "thebot.podSecurityContext" (dict "component" $component "ctx" $ctx) | nindent 4 }}
  {{- with .affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $component.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $component.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .initContainers }}
  initContainers:
    {{- range . }}
    {{- include "thebot.container" (dict "container" . "component" $component "ctx" $ctx) | nindent 4 }}
    {{- end }}
  {{- end }}
  containers:
    {{- include "thebot.container" (dict "container" .container "component" $component "sharedVolumes" .sharedVolumes
          "ctx" $ctx) | nindent 4 }}
  volumes:
    {{- include "thebot.writableVolumes" (dict "component" $component "ctx" $ctx) | nindent 4 }}
    {{- include "thebot.sharedVolumes" (dict "names" .sharedVolumes "ctx" $ctx) | nindent 4 }}
    {{- with $component.secretFiles }}
    {{- /* Only the keys listed, readable by the pod's group (fsGroup) and no one else. */}}
    - name: secret-files
      secret:
        secretName: {{ include "thebot.secretName" $ctx }}
        defaultMode: 0440
        items:
          {{- range $key := values . | uniq | sortAlpha }}
          - key: {{ $key }}
            path: {{ $key }}
          {{- end }}
    {{- end }}
{{- end -}}

{{/*
One container of thebot.pod: (dict "container" (dict
  "name", "image" (the image values, with a repository: thebot.componentImage), "command", "args",
  "port"           (dict "name" "http" "containerPort" 8000), or empty
  "config"         true: the ConfigMap by envFrom (apps and jobs)
  "credentials"    true: the app's Secret by envFrom, and DATABASE_URL and REDIS_URL built from it
  "secretEnv"      variable -> key of the Secret (the databases); "env": variable -> value; "extraEnv": a list;
                   and the component's secretFiles: variable -> key, given as <variable>_FILE, the path of its file
  "livenessProbe", "readinessProbe", "resources"
  "mounts"         volume mounts before the writable ones (a StatefulSet's data))
  "component" the component's values (security context, writable directories)
  "sharedVolumes" names of the pod's shared claims the container mounts (none for init containers) "ctx" $)
*/}}
{{- define "thebot.container" -}}
{{- $ctx := .ctx -}}
{{- $c := .container -}}
{{- $env := list -}}
{{- if $c.credentials }}
{{- $env = concat $env (include "thebot.appEnv" $ctx | fromYamlArray) -}}
{{- end }}
{{- range $name, $key := $c.secretEnv }}
{{- $env = append $env (dict "name" $name "valueFrom" (dict "secretKeyRef" (dict "name" (include "thebot.secretName" $ctx) "key" $key))) -}}
{{- end }}
{{- range $name, $key := .component.secretFiles }}
{{- $env = append $env (dict "name" (printf "%s_FILE" $name) "value" (printf "%s/%s" (include "thebot.secretFilesDir" $ctx) $key)) -}}
{{- end }}
{{- range $name, $value := $c.env }}
{{- $env = append $env (dict "name" $name "value" (toString $value)) -}}
{{- end }}
{{- $env = concat $env ($c.extraEnv | default list) -}}
- name: {{ $c.name }}
  image: {{ include "thebot.image" (dict "image" $c.image "ctx" $ctx) | quote }}
  imagePullPolicy: {{ include "thebot.pullPolicy" (dict "image" $c.image "ctx" $ctx) }}
  {{- with $c.command }}
  command:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.args }}
  args:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.port }}
  ports:
    - name: {{ .name }}
      containerPort: {{ .containerPort }}
      protocol: TCP
  {{- end }}
  {{- if $c.config }}
  envFrom:
    {{- include "thebot.appEnvFrom" (dict "credentials" $c.credentials "ctx" $ctx) | nindent 4 }}
  {{- end }}
  {{- with $env }}
  env:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.livenessProbe }}
  livenessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $c.readinessProbe }}
  readinessProbe:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  resources:
    {{- toYaml $c.resources | nindent 4 }}
  securityContext:
    {{- include "thebot.containerSecurityContext" (dict "component" .component "ctx" $ctx) | nindent 4 }}
  volumeMounts:
    {{- with $c.mounts }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
    {{- include "thebot.writableMounts" .component | nindent 4 }}
    {{- include "thebot.sharedMounts" (dict "names" .sharedVolumes "ctx" $ctx) | nindent 4 }}
    {{- if .component.secretFiles }}
    - name: secret-files
      mountPath: {{ include "thebot.secretFilesDir" $ctx }}
      readOnly: true
    {{- end }}
{{- end -}}

{{/* Where a component's secretFiles are mounted: each key of the Secret as a file of its own name. */}}
{{- define "thebot.secretFilesDir" -}}
/run/secrets/thebot
{{- end -}}
