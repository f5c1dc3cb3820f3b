{{/*
ConfigMap and Secret are hooks (pre-install, pre-upgrade, pre-rollback; weight -10), so they exist and
carry the new values before the migration job runs, on a first install and on every upgrade, and an
atomic rollback puts the previous ones back before anything else.
*/}}
{{- define "thebot.configHookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade,pre-rollback
helm.sh/hook-weight: "-10"
helm.sh/hook-delete-policy: before-hook-creation
{{- end -}}

{{/* The ingress hosts, as a list. */}}
{{- define "thebot.ingressHosts" -}}
{{- $hosts := list -}}
{{- if .Values.ingress.enabled -}}
{{- range .Values.ingress.hosts }}{{ $hosts = append $hosts .host }}{{ end -}}
{{- end -}}
{{- toJson $hosts -}}
{{- end -}}

{{/* The 11 settings of the apps. */}}
{{- define "thebot.configData" -}}
{{- $hosts := include "thebot.ingressHosts" . | fromJsonArray -}}
{{- $backend := include "thebot.componentName" (dict "component" "backend" "ctx" .) -}}
ENVIRONMENT: {{ .Values.environment | quote }}
DEBUG: {{ ternary "True" "False" .Values.debug | quote }}
DJANGO_SETTINGS_MODULE: {{ .Values.config.djangoSettingsModule | quote }}
{{- /* localhost always: the kubelet's HTTP probes send it (Django refuses a Host it does not list, and the pod IP changes) */}}
{{- $allowed := .Values.config.allowedHosts | default (concat $hosts (list $backend) | join ",") | splitList "," | compact }}
ALLOWED_HOSTS: {{ (has "localhost" $allowed | ternary $allowed (append $allowed "localhost")) | join "," | quote }}
{{- $origins := list }}{{ range $hosts }}{{ $origins = append $origins (printf "https://%s" .) }}{{ end }}
CORS_ALLOWED_ORIGINS: {{ .Values.config.corsAllowedOrigins | default ($origins | join ",") | quote }}
LOG_LEVEL: {{ .Values.logLevel | quote }}
DATABASE_HOST: {{ include "thebot.databaseHost" . | quote }}
DATABASE_PORT: {{ include "thebot.databasePort" . | quote }}
DATABASE_NAME: {{ include "thebot.databaseName" . | quote }}
REDIS_HOST: {{ include "thebot.redisHost" . | quote }}
REDIS_PORT: {{ include "thebot.redisPort" . | quote }}
{{- with .Values.config.extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The credentials, as files/credentials.yaml lists them (their one home): a list of maps. */}}
{{- define "thebot.credentials" -}}
{{- .Files.Get "files/credentials.yaml" -}}
{{- end -}}

{{/*
The credentials, when the chart makes the Secret: only the credentials, no URL (thebot.appEnv builds those).
Empty ones marked generate are made on the first install and read back from the cluster afterwards, so
upgrades never rotate them; the result is memoised for the render, so the checksum annotation is taken of
the very data the Secret holds.
*/}}
{{- define "thebot.secretData" -}}
{{- if not (hasKey .Values.secrets "__rendered") -}}
{{- $existing := (lookup "v1" "Secret" .Release.Namespace (include "thebot.secretName" .)).data | default dict -}}
{{- $data := dict -}}
{{- range include "thebot.credentials" . | fromYamlArray -}}
{{- $value := get $.Values.secrets .value | default "" -}}
{{- if .generate -}}
{{- $value = $value | default (get $existing .key | default "" | b64dec) | default (randAlphaNum 40) -}}
{{- end -}}
{{- $_ := set $data .key $value -}}
{{- end -}}
{{- $_ := set .Values.secrets "__rendered" $data -}}
{{- end -}}
{{- range $key, $value := .Values.secrets.__rendered }}
{{ $key }}: {{ $value | b64enc | quote }}
{{- end }}
{{- end -}}

{{/*
The apps' connection URLs, built here from the chart's own endpoints, bundled or external alike. The
credentials stay in the Secret: Kubernetes expands $(POSTGRES_PASSWORD) and the rest from the variables
envFrom defined, so no manifest, stored release or ConfigMap holds one, and nothing outside the chart
needs to know where the databases are.
*/}}
{{- define "thebot.appEnv" -}}
- name: DATABASE_URL
  value: {{ printf "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@%s:%s/%s" (include "thebot.databaseHost" .) (include "thebot.databasePort" .) (include "thebot.databaseName" .) | quote }}
- name: REDIS_URL
  value: {{ printf "redis://:$(REDIS_PASSWORD)@%s:%s/0" (include "thebot.redisHost" .) (include "thebot.redisPort" .) | quote }}
{{- end -}}
