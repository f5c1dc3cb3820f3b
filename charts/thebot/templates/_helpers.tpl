{{/* Names, labels and references shared by every template. */}}

{{- define "thebot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "thebot.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The app components rendered by the one workload template, keyed by values section. */}}
{{- define "thebot.appComponents" -}}
backend: backend
frontend: frontend
celery: celery
celeryBeat: celery-beat
{{- end -}}

{{/*
Deep merge as helm merges values, key by key, where over's value wins whatever it is: false, 0, "" and
empty lists included (sprig's merge and mergeOverwrite both take those for "unset"). Maps merge; anything
else is replaced; a null in over removes the key. Returns YAML: (dict "base" $defaults "over" $section)
*/}}
{{- define "thebot.merge" -}}
{{- $out := deepCopy (.base | default dict) -}}
{{- range $key, $value := .over -}}
{{- if kindIs "invalid" $value -}}
{{- $_ := unset $out $key -}}
{{- else if and (kindIs "map" $value) (kindIs "map" (get $out $key)) -}}
{{- $_ := set $out $key (include "thebot.merge" (dict "base" (get $out $key) "over" $value) | fromYaml) -}}
{{- else -}}
{{- $_ := set $out $key $value -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{/*
The values of a section as the templates use them, as YAML: for an app component (backend, frontend, celery,
celeryBeat) appDefaults with the component's own block merged over it; any other section as it is.
(dict "name" "celeryBeat" "ctx" $)
*/}}
{{- define "thebot.values" -}}
{{- /* Kept per render in the root context: labels, policies and checks ask for the same sections many times. */}}
{{- $cache := get .ctx "thebotValues" | default dict -}}
{{- if not (hasKey $cache .name) -}}
{{- $section := index .ctx.Values .name | default dict -}}
{{- if hasKey (include "thebot.appComponents" .ctx | fromYaml) .name -}}
{{- $_ := set $cache .name (include "thebot.merge" (dict "base" .ctx.Values.appDefaults "over" $section)) -}}
{{- else -}}
{{- $_ := set $cache .name (toYaml $section) -}}
{{- end -}}
{{- $_ := set .ctx "thebotValues" $cache -}}
{{- end -}}
{{- get $cache .name -}}
{{- end -}}

{{/* Object name of a component: (dict "component" "celery-beat" "ctx" $) */}}
{{- define "thebot.componentName" -}}
{{- printf "%s-%s" (include "thebot.fullname" .ctx | trunc (int (sub 62 (len .component)))) .component | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: name, instance and component only (never the chart version, which changes). */}}
{{- define "thebot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "thebot.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{/*
The version an object's labels tell: what its component runs, the image's tag or its digest's short form
(sha256-<12 hex>); the databases their own image's; the hook jobs and the objects of the whole app (config,
credentials, ingress, policies, claims) the backend's. (dict "component" "celery-beat" "ctx" $)
*/}}
{{- define "thebot.version" -}}
{{- $section := "backend" -}}
{{- range $key, $name := merge (include "thebot.appComponents" . | fromYaml) (dict "postgresql" "postgresql" "redis" "redis") -}}
{{- if eq $name $.component -}}{{- $section = $key -}}{{- end -}}
{{- end -}}
{{- $image := include "thebot.componentImage" (dict "image" (include "thebot.values" (dict "name" $section "ctx" .ctx) | fromYaml).image "ctx" .ctx) | fromYaml -}}
{{- if $image.digest -}}
{{- $image.digest | replace ":" "-" | trunc 19 -}}
{{- else -}}
{{- include "thebot.imageTag" (dict "image" $image "ctx" .ctx) | trunc 63 | trimSuffix "-" | trimSuffix "_" | trimSuffix "." -}}
{{- end -}}
{{- end -}}

{{/* Every object's labels: (dict "component" "backend" "ctx" $); component may be empty. */}}
{{- define "thebot.labels" -}}
{{ include "thebot.selectorLabels" . }}
app.kubernetes.io/version: {{ include "thebot.version" . | quote }}
app.kubernetes.io/part-of: thebot
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "thebot.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "thebot.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "thebot.configMapName" -}}
{{- include "thebot.fullname" . -}}
{{- end -}}

{{- define "thebot.secretName" -}}
{{- default (include "thebot.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
The image a component runs, as a dict (YAML): its own block, where a component that names no repository
runs the backend's image (celery, celery-beat and the hook jobs: the same code), and, naming neither tag nor
digest, the backend's tag and digest too, so pinning the backend pins all of them.
(dict "image" .Values.celery.image "ctx" $)
*/}}
{{- define "thebot.componentImage" -}}
{{- $image := deepCopy (.image | default dict) -}}
{{- if not $image.repository -}}
{{- /* Merged only here: every object's version label comes through this helper. */}}
{{- $backend := (include "thebot.values" (dict "name" "backend" "ctx" .ctx) | fromYaml).image -}}
{{- $_ := set $image "repository" $backend.repository -}}
{{- $_ := set $image "registry" ($image.registry | default $backend.registry) -}}
{{- if not (or $image.tag $image.digest) -}}
{{- $_ := set $image "tag" $backend.tag -}}
{{- $_ := set $image "digest" $backend.digest -}}
{{- end -}}
{{- end -}}
{{- toYaml $image -}}
{{- end -}}

{{/*
Image reference of a component image (thebot.componentImage): (dict "image" $image "ctx" $).
A digest wins over a tag; an empty registry or tag falls back to the chart-wide image block, then the tag to
appVersion.
*/}}
{{- define "thebot.image" -}}
{{- $registry := .image.registry | default .ctx.Values.image.registry -}}
{{- $prefix := ternary (printf "%s/" $registry) "" (ne $registry "") -}}
{{- if .image.digest -}}
{{- printf "%s%s@%s" $prefix .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s%s:%s" $prefix .image.repository (include "thebot.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/*
Pull policy of an image: image.pullPolicy if set, else Always where a tag names it (a tag can be moved to
other bytes, and only Always makes every node see the move) and IfNotPresent where a digest does (its bytes
are fixed). (dict "image" .Values.backend.image "ctx" $)
*/}}
{{- define "thebot.pullPolicy" -}}
{{- .ctx.Values.image.pullPolicy | default (ternary "IfNotPresent" "Always" (not (empty .image.digest))) -}}
{{- end -}}

{{/* The tag of an image: its own, else the chart-wide one, else appVersion. (dict "image" ... "ctx" $) */}}
{{- define "thebot.imageTag" -}}
{{- .image.tag | default .ctx.Values.image.tag | default .ctx.Chart.AppVersion | toString -}}
{{- end -}}

{{/* Pod security context: the chart-wide one with the component's overrides. */}}
{{- define "thebot.podSecurityContext" -}}
{{- toYaml (mergeOverwrite (deepCopy .ctx.Values.podSecurityContext) (.component.podSecurityContext | default dict)) -}}
{{- end -}}

{{/* Container security context: the chart-wide one, run as the pod's user. */}}
{{- define "thebot.containerSecurityContext" -}}
{{- $pod := mergeOverwrite (deepCopy .ctx.Values.podSecurityContext) (.component.podSecurityContext | default dict) -}}
{{- toYaml (mergeOverwrite (deepCopy .ctx.Values.containerSecurityContext) (dict "runAsUser" $pod.runAsUser "runAsGroup" $pod.runAsGroup)) -}}
{{- end -}}

{{/*
Writable emptyDirs (the root filesystem is read-only): volumes and mounts of one component. Each is capped at
writableDirSizeLimit, so one runaway writer is evicted before the node's disk fills.
Volumes: (dict "component" .Values.backend "ctx" $); mounts: the component's values.
*/}}
{{- define "thebot.writableVolumes" -}}
{{- $limit := .ctx.Values.writableDirSizeLimit -}}
{{- range $index, $path := .component.writableDirs }}
- name: writable-{{ $index }}
  emptyDir:
    sizeLimit: {{ $limit }}
{{- end }}
{{- end -}}

{{- define "thebot.writableMounts" -}}
{{- range $index, $path := .writableDirs }}
- name: writable-{{ $index }}
  mountPath: {{ $path }}
{{- end }}
{{- end -}}

{{/* Checksums of config and credentials, so a change rolls every pod that reads them: (dict "secret" bool "ctx" $). */}}
{{- define "thebot.checksums" -}}
{{- $ctx := .ctx -}}
checksum/config: {{ include (print $ctx.Template.BasePath "/configmap.yaml") $ctx | sha256sum }}
{{- if not .secret }}
{{- /* A component that reads no credential (the frontend) is not restarted by a rotation. */}}
{{- else if $ctx.Values.secrets.existingSecret }}
checksum/secret: {{ $ctx.Values.secrets.checksum | default "external" | sha256sum }}
{{- else }}
checksum/secret: {{ include "thebot.secretData" $ctx | sha256sum }}
{{- end }}
{{- end -}}

{{/* Hosts of the database and Redis: the chart's own StatefulSets, or the external ones. */}}
{{- define "thebot.databaseHost" -}}
{{- if .Values.postgresql.enabled -}}
{{- include "thebot.componentName" (dict "component" "postgresql" "ctx" .) -}}
{{- else -}}
{{- required "externalDatabase.host is required when postgresql.enabled is false: set it, or set postgresql.enabled to true" .Values.externalDatabase.host -}}
{{- end -}}
{{- end -}}

{{- define "thebot.databasePort" -}}
{{- ternary .Values.postgresql.service.port .Values.externalDatabase.port .Values.postgresql.enabled -}}
{{- end -}}

{{- define "thebot.databaseName" -}}
{{- ternary .Values.postgresql.database .Values.externalDatabase.database .Values.postgresql.enabled -}}
{{- end -}}

{{- define "thebot.redisHost" -}}
{{- if .Values.redis.enabled -}}
{{- include "thebot.componentName" (dict "component" "redis" "ctx" .) -}}
{{- else -}}
{{- required "externalRedis.host is required when redis.enabled is false: set it, or set redis.enabled to true" .Values.externalRedis.host -}}
{{- end -}}
{{- end -}}

{{- define "thebot.redisPort" -}}
{{- ternary .Values.redis.service.port .Values.externalRedis.port .Values.redis.enabled -}}
{{- end -}}

{{/*
The container environment of the apps and jobs: the ConfigMap, and the Secret whole where the component takes
the app's credentials (thebot.appEnv adds the URLs). Called as (dict "credentials" true "ctx" $).
*/}}
{{- define "thebot.appEnvFrom" -}}
- configMapRef:
    name: {{ include "thebot.configMapName" .ctx }}
{{- if .credentials }}
- secretRef:
    name: {{ include "thebot.secretName" .ctx }}
{{- end }}
{{- end -}}

{{/* Volumes of the shared PVCs a component lists in .volumes (static, media). */}}
{{- define "thebot.sharedVolumes" -}}
{{- $ctx := .ctx -}}
{{- range .names }}
{{- if (index $ctx.Values.persistence .).enabled }}
- name: {{ . }}
  persistentVolumeClaim:
    claimName: {{ include "thebot.componentName" (dict "component" . "ctx" $ctx) }}
{{- end }}
{{- end }}
{{- end -}}

{{- define "thebot.sharedMounts" -}}
{{- $ctx := .ctx -}}
{{- range .names }}
{{- if (index $ctx.Values.persistence .).enabled }}
- name: {{ . }}
  mountPath: {{ (index $ctx.Values.persistence .).mountPath }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
A Kubernetes quantity as a number (250m -> 0.25, 1Gi -> 1073741824), for comparing two of them. The schema
has already refused any other form.
*/}}
{{- define "thebot.quantity" -}}
{{- $text := toString . -}}
{{- $number := regexFind "^[0-9]+(\\.[0-9]+)?" $text -}}
{{- $suffix := trimPrefix $number $text -}}
{{- if eq $suffix "m" -}}
{{- divf (float64 $number) 1000 -}}{{- /* a division: 100m is then exactly the nearest double to 0.1 */ -}}
{{- else -}}
{{- $factors := dict "" 1.0 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 -}}
{{- mulf (float64 $number) (get $factors $suffix) -}}
{{- end -}}
{{- end -}}
