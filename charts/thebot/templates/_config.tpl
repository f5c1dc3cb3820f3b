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
ALLOWED_HOSTS: {{ .Values.config.allowedHosts | default (concat $hosts (list $backend "localhost") | join ",") | quote }}
{{- $origins := list }}{{ range $hosts }}{{ $origins = append $origins (printf "https://%s" .) }}{{ end }}
CORS_ALLOWED_ORIGINS: {{ .Values.config.corsAllowedOrigins | default ($origins | join ",") | quote }}
LOG_LEVEL: {{ .Values.logLevel | quote }}
DATABASE_HOST: {{ include "thebot.databaseHost" . | quote }}
DATABASE_PORT: {{ ternary .Values.postgresql.service.port .Values.externalDatabase.port .Values.postgresql.enabled | quote }}
DATABASE_NAME: {{ ternary .Values.postgresql.database .Values.externalDatabase.database .Values.postgresql.enabled | quote }}
REDIS_HOST: {{ include "thebot.redisHost" . | quote }}
REDIS_PORT: {{ ternary .Values.redis.service.port .Values.externalRedis.port .Values.redis.enabled | quote }}
{{- with .Values.config.extra }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
The 8 credentials, when the chart makes the Secret. Empty passwords are generated on the first install
and read back from the cluster afterwards, so upgrades never rotate them; the result is memoised for
the render, so the checksum annotation is taken of the very data the Secret holds.
*/}}
{{- define "thebot.secretData" -}}
{{- if not (hasKey .Values.secrets "__rendered") -}}
{{- $s := .Values.secrets -}}
{{- $existing := (lookup "v1" "Secret" .Release.Namespace (include "thebot.secretName" .)).data | default dict -}}
{{- $keep := dict -}}
{{- range $key, $given := dict "SECRET_KEY" $s.secretKey "POSTGRES_PASSWORD" $s.postgresPassword "REDIS_PASSWORD" $s.redisPassword -}}
{{- $value := $given | default (get $existing $key | b64dec) | default (randAlphaNum 40) -}}
{{- $_ := set $keep $key $value -}}
{{- end -}}
{{- $db := printf "%s:%v/%s" (include "thebot.databaseHost" .) (ternary .Values.postgresql.service.port .Values.externalDatabase.port .Values.postgresql.enabled) (ternary .Values.postgresql.database .Values.externalDatabase.database .Values.postgresql.enabled) -}}
{{- $redis := printf "%s:%v" (include "thebot.redisHost" .) (ternary .Values.redis.service.port .Values.externalRedis.port .Values.redis.enabled) -}}
{{- $data := dict
    "SECRET_KEY" $keep.SECRET_KEY
    "POSTGRES_USER" $s.postgresUser
    "POSTGRES_PASSWORD" $keep.POSTGRES_PASSWORD
    "DATABASE_URL" (printf "postgresql://%s:%s@%s" (urlquery $s.postgresUser) (urlquery $keep.POSTGRES_PASSWORD) $db)
    "REDIS_PASSWORD" $keep.REDIS_PASSWORD
    "REDIS_URL" (printf "redis://:%s@%s/0" (urlquery $keep.REDIS_PASSWORD) $redis)
    "TELEGRAM_BOT_TOKEN" $s.telegramBotToken
    "EMAIL_HOST_PASSWORD" $s.emailHostPassword -}}
{{- $_ := set .Values.secrets "__rendered" $data -}}
{{- end -}}
{{- range $key, $value := .Values.secrets.__rendered }}
{{ $key }}: {{ $value | b64enc | quote }}
{{- end }}
{{- end -}}
