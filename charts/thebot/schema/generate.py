"""Write charts/thebot/values.schema.json. Definitions are shared: the four app components and appDefaults
(what each of them takes unless it sets its own) have one shape, the two databases another; every section
refuses unknown keys, so a typo fails the install.

    python charts/thebot/schema/generate.py          # rewrite the schema
    python charts/thebot/schema/generate.py --check  # exit 1 when the committed schema is stale
"""

import json
import sys
from pathlib import Path

import yaml

TARGET = Path(__file__).resolve().parent.parent / "values.schema.json"
# The credentials' one home: the chart value of each, and whether it goes into a connection URL as is.
CREDENTIALS = yaml.safe_load((TARGET.parent / "files" / "credentials.yaml").read_text())
# What a URL's user and password take unescaped (RFC 3986: unreserved, sub-delims, and ':' after the
# user): Kubernetes puts the credential into DATABASE_URL and REDIS_URL as it is, so "@", "/", "?", "#",
# "%" or a space would break the URL.
URL_SAFE = {"user": {"type": "string", "pattern": r"^[A-Za-z0-9._~!$&'()*+,;=-]*$"},
            "password": {"type": "string", "pattern": r"^[A-Za-z0-9._~!$&'()*+,;=:-]*$"}}

# A Kubernetes quantity (the forms the chart's values use): 250m, 1, 0.5, 512Mi, 1Gi.
QUANTITY = r"^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$"
TAG = r"^([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$"
ACCESS_MODES = ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"]
S = {"type": "string"}
B = {"type": "boolean"}
OBJ = {"type": "object"}
ARR = {"type": "array"}
MAP = {"type": "object", "additionalProperties": {"type": "string"}}
STRS = {"type": "array", "items": {"type": "string"}}
PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
# More replicas than this is a typo, not a plan (and a cluster-wide outage of the scheduler's time).
MAX_REPLICAS = 100
REPLICAS = {"type": "integer", "minimum": 1, "maximum": MAX_REPLICAS}
REGISTRY = {"type": "string", "pattern": r"^[a-z0-9.-]*(:[0-9]+)?$"}
# A ConfigMap holds at most 1 MiB in all; one setting of 64 KiB is already a file, not a setting.
SETTING = {"type": "string", "maxLength": 65536}
JOB = {"enabled": B, "args": STRS, "backoffLimit": {"type": "integer", "minimum": 0},
       "activeDeadlineSeconds": {"type": "integer", "minimum": 1}, "podLabels": MAP}


def obj(props, required=None):
    """A section with exactly these keys."""
    schema = {"type": "object", "additionalProperties": False, "properties": props}
    if required:
        schema["required"] = required
    return schema


def ref(name):
    return {"$ref": f"#/definitions/{name}"}


def volume(extra=None):
    return obj({**(extra or {}), "size": {"type": "string", "pattern": QUANTITY}, "storageClass": S,
                "accessModes": {"type": "array", "minItems": 1, "items": {"enum": ACCESS_MODES}},
                "mountPath": {"type": "string", "pattern": "^/"}})


DEFINITIONS = {
    "quantity": {"description": "A Kubernetes quantity such as 250m, 1, 512Mi or 1Gi",
                 "oneOf": [{"type": "string", "pattern": QUANTITY}, {"type": "number", "exclusiveMinimum": 0}]},
    "image": obj({"registry": REGISTRY,
                  "repository": {"type": "string",
                                 "pattern": r"^([a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*)?$"},
                  "tag": {"type": "string", "pattern": TAG},
                  "digest": {"type": "string", "pattern": r"^(sha256:[a-f0-9]{64})?$"}}),
    "resourceList": obj({"cpu": ref("quantity"), "memory": ref("quantity"), "ephemeral-storage": ref("quantity")}),
    "resources": obj({"requests": ref("resourceList"), "limits": ref("resourceList")}),
    "autoscaling": obj({"enabled": B, "minReplicas": {"type": "integer", "minimum": 1},
                        "maxReplicas": REPLICAS,
                        "targetCPUUtilizationPercentage": {"type": "integer", "minimum": 1, "maximum": 100},
                        "targetMemoryUtilizationPercentage": {"type": "integer", "minimum": 0, "maximum": 100}}),
    # Probes are Kubernetes' own shape; the API server validates them.
    "probe": OBJ,
    "absolutePaths": {"type": "array", "items": {"type": "string", "pattern": "^/"}, "uniqueItems": True},
    "env": {"type": "array", "items": {"type": "object", "required": ["name"],
                                       "properties": {"name": {"type": "string",
                                                               "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}}}},
    "persistence": volume(),
    "sharedVolume": volume({"enabled": B}),
    "app": obj({"enabled": B, "replicaCount": REPLICAS, "image": ref("image"),
                "command": STRS, "args": STRS, "containerPort": PORT, "service": obj({"port": PORT}),
                "resources": ref("resources"), "autoscaling": ref("autoscaling"),
                "pdb": obj({"minAvailable": {"oneOf": [{"type": "integer", "minimum": 0},
                                                       {"type": "string", "pattern": "^[0-9]{1,3}%$"}]}}),
                "livenessProbe": ref("probe"), "readinessProbe": ref("probe"),
                "writableDirs": ref("absolutePaths"),
                "volumes": {"type": "array", "items": {"enum": ["static", "media"]}, "uniqueItems": True},
                "strategy": obj({"type": {"enum": ["RollingUpdate", "Recreate"]}, "rollingUpdate": OBJ}),
                "podAnnotations": MAP, "podSecurityContext": OBJ, "extraEnv": ref("env"), "credentials": B,
                "nodeSelector": MAP, "tolerations": ARR, "affinity": OBJ}),
    "database": obj({"enabled": B, "image": ref("image"), "database": S, "containerPort": PORT,
                     "service": obj({"port": PORT}), "args": STRS, "secretEnv": MAP, "secretFiles": MAP, "env": MAP,
                     "resources": ref("resources"), "persistence": ref("persistence"),
                     "livenessProbe": ref("probe"), "readinessProbe": ref("probe"),
                     "writableDirs": ref("absolutePaths"), "podSecurityContext": OBJ, "podAnnotations": MAP,
                     "nodeSelector": MAP, "tolerations": ARR}),
    "job": obj(JOB),
    "hostname": {"type": "string", "maxLength": 253,
                 "pattern": r"^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$"},
}

PROPERTIES = {
    "global": OBJ,
    "nameOverride": {"type": "string", "maxLength": 40},
    "fullnameOverride": {"type": "string", "maxLength": 52},
    "environment": {"type": "string", "pattern": r"^[a-z][a-z0-9-]{0,30}$"},
    "debug": B,
    "logLevel": {"enum": ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]},
    "commonLabels": MAP,
    "imagePullSecrets": STRS,
    "image": obj({"registry": REGISTRY, "tag": {"type": "string", "pattern": TAG},
                  "pullPolicy": {"enum": ["", "Always", "IfNotPresent", "Never"]}}),
    "podSecurityContext": OBJ,
    "containerSecurityContext": OBJ,
    "writableDirSizeLimit": ref("quantity"),
    # What every app component takes unless its own block says otherwise (the templates merge the two).
    "appDefaults": ref("app"),
    "backend": ref("app"),
    "frontend": ref("app"),
    "celery": ref("app"),
    "celeryBeat": {"allOf": [ref("app"), {
        "description": "beat is a singleton: exactly one replica, no autoscaling, Recreate",
        "properties": {"replicaCount": {"const": 1},
                       "autoscaling": {"properties": {"enabled": {"const": False}}},
                       "strategy": {"properties": {"type": {"const": "Recreate"}}}}}]},
    "postgresql": ref("database"),
    "redis": ref("database"),
    "externalDatabase": obj({"host": S, "port": PORT, "database": S}),
    "externalRedis": obj({"host": S, "port": PORT}),
    "config": obj({"djangoSettingsModule": SETTING, "allowedHosts": SETTING, "corsAllowedOrigins": SETTING,
                   "extra": {"type": "object", "additionalProperties": SETTING}}),
    "secrets": obj({"existingSecret": S, "checksum": S,
                    **{c["value"]: URL_SAFE[c["url"]] if c.get("url") else S for c in CREDENTIALS}}),
    "persistence": obj({"static": ref("sharedVolume"), "media": ref("sharedVolume")}),
    "migrations": obj({**JOB, "waitForDatabase": B}),
    "collectstatic": ref("job"),
    "jobs": obj({"resources": ref("resources")}),
    "ingress": obj({
        "enabled": B, "className": S, "annotations": MAP,
        "hosts": {"type": "array", "items": obj({
            "host": ref("hostname"),
            "paths": {"type": "array", "minItems": 1, "items": obj({
                "path": {"type": "string", "pattern": "^/"},
                "pathType": {"enum": ["Prefix", "Exact", "ImplementationSpecific"]},
                "component": {"enum": ["frontend", "backend"]}}, required=["path", "pathType", "component"])}},
            required=["host", "paths"])},
        "tls": {"type": "array", "items": obj({
            "secretName": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$"},
            "hosts": {"type": "array", "minItems": 1, "items": ref("hostname")}}, required=["secretName", "hosts"])}}),
    "serviceAccount": obj({"create": B, "name": S, "annotations": MAP, "automountToken": B}),
    "networkPolicy": obj({"enabled": B,
                          "ingressController": obj({"namespaceSelector": OBJ, "podSelector": OBJ}),
                          "dns": obj({"namespaceSelector": OBJ, "podSelector": OBJ}),
                          "monitoring": obj({"namespaceSelector": OBJ, "podSelector": OBJ}),
                          "extraEgress": ARR}),
    "metrics": obj({"enabled": B, "path": {"type": "string", "pattern": "^/"},
                    "serviceMonitor": obj({"enabled": B, "interval": {"type": "string", "pattern": r"^[0-9]+(ms|s|m|h)$"},
                                           "labels": MAP})}),
}


def schema() -> str:
    document = {"$schema": "http://json-schema.org/draft-07/schema#", "title": "thebot chart values",
                "description": "Generated by charts/thebot/schema/generate.py: edit that file, not this one.",
                **obj(PROPERTIES), "definitions": DEFINITIONS}
    return json.dumps(document, indent=2) + "\n"


def main(argv) -> int:
    text = schema()
    if "--check" in argv:
        if TARGET.read_text() != text:
            print(f"{TARGET} is stale: run {Path(__file__).name} and commit the result", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
