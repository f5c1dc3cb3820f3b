# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check chart values against values.schema.json and an environment's policy; gather every finding.

A finding is a dict: path (dotted, e.g. backend.resources.requests.cpu), rule, severity (error or
warning), message and fix. Nothing here talks to a cluster.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import os
import re

from ansible_collections.thebot.platform.plugins.module_utils.duration import is_duration
from ansible_collections.thebot.platform.plugins.module_utils.image_ref import ImageRefError, parse_image_ref
from ansible_collections.thebot.platform.plugins.module_utils.policy import (
    DEMO_MARKERS, MIN_SECRET_LENGTH, POLICIES)

APPS = ("backend", "frontend", "celery", "celeryBeat")
STATELESS = ("backend", "frontend", "celery")
DATABASES = ("postgresql", "redis")
# The credentials' one home is the chart's files/credentials.yaml (read_credentials): each with its
# Secret key, vault key, chart value, and whether it is public or goes into a URL.
CREDENTIALS_FILE = ("files", "credentials.yaml")
# What a URL's user and password take unescaped (RFC 3986: unreserved, sub-delims, and ':' after the
# user): the chart writes them into DATABASE_URL and REDIS_URL as they are.
URL_SAFE = {"user": re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=-]*$"),
            "password": re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=:-]*$")}
# A schema message quotes the value: past this length, only its size is told.
MAX_MESSAGE = 240


def merge(base, override):
    """Deep merge as helm does: maps merge key by key, anything else is replaced."""
    result = copy.deepcopy(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def with_app_defaults(values):
    """The values as the chart's templates see them (thebot.values): each app component is appDefaults with its
    own block merged over it, key by key."""
    result = dict(values)
    defaults = values.get("appDefaults") if isinstance(values.get("appDefaults"), dict) else {}
    for name in APPS:
        if isinstance(values.get(name), dict) or name not in values:
            result[name] = merge(defaults, values.get(name) or {})
    return result


def read_credentials(chart_path):
    """The chart's list of credentials (files/credentials.yaml); raises OSError or yaml.YAMLError."""
    import yaml  # ansible-core's own dependency

    with open(os.path.join(chart_path, *CREDENTIALS_FILE)) as handle:
        return yaml.safe_load(handle)


def _finding(path, rule, severity, message, fix):
    return {"path": path, "rule": rule, "severity": severity, "message": message, "fix": fix}


# --------------------------------------------------------------------------------------- schema

_SCHEMA_FIXES = {
    "additionalProperties": "remove the key or correct its spelling (charts/thebot/values.yaml lists every key)",
    "type": "give a value of the type the schema names",
    "pattern": "write the value in the form the schema's pattern describes",
    "enum": "use one of the allowed values",
    "const": "use the only allowed value",
    "minimum": "raise the value",
    "maximum": "lower the value",
    "required": "add the missing key",
    "minItems": "add at least one item",
    "maxLength": "shorten the value",
    "oneOf": "give a value of one of the allowed forms",
}


def schema_findings(values, schema):
    """Every violation of the chart's JSON schema (the same schema helm applies)."""
    import jsonschema  # only needed here: the module reports its absence cleanly

    validator = jsonschema.Draft7Validator(schema)
    findings = []
    for error in sorted(validator.iter_errors(values), key=lambda e: [str(p) for p in e.absolute_path]):
        leaves = [error]
        if error.validator in ("allOf", "anyOf") and error.context:
            leaves = error.context
        for leaf in leaves:
            path = ".".join(str(p) for p in leaf.absolute_path) or "(top level)"
            message = leaf.message
            if len(message) > MAX_MESSAGE:
                message = "a value of %d characters fails %s %s" % (len(str(leaf.instance)), leaf.validator,
                                                                    leaf.validator_value)
            if leaf.validator == "additionalProperties":
                unknown = sorted(set(leaf.instance) - set(leaf.schema.get("properties", {})))
                path = ".".join([path] + unknown[:1]) if path != "(top level)" else ".".join(unknown[:1])
                message = "unknown key%s %s" % ("s" if len(unknown) > 1 else "", ", ".join(unknown))
            findings.append(_finding(path, "schema." + str(leaf.validator), "error", message,
                                     _SCHEMA_FIXES.get(leaf.validator, "see charts/thebot/values.schema.json")))
    return findings


# ---------------------------------------------------------------------------------------- rules

def _min_replicas(component):
    scaling = component.get("autoscaling") or {}
    return scaling.get("minReplicas") if scaling.get("enabled") else component.get("replicaCount")


def _containers(values):
    """(path, resources) of every container the chart renders."""
    for name in APPS + DATABASES:
        if (values.get(name) or {}).get("enabled", True):
            yield name + ".resources", (values.get(name) or {}).get("resources") or {}
    yield "jobs.resources", (values.get("jobs") or {}).get("resources") or {}


def rule_resources_set(values, secrets, options):
    """Requests and limits both set. Whether a request is above its limit is a rule across fields: the chart's
    (templates/validate.yaml), which deploy.yml renders before any write."""
    for path, resources in _containers(values):
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        for resource in ("cpu", "memory"):
            where = "%s.%%s.%s" % (path, resource)
            if resource not in requests or resource not in limits:
                missing = "requests" if resource not in requests else "limits"
                yield where % missing, "no %s %s is set" % (resource, missing), \
                    "set %s (the scheduler and the quota need both requests and limits)" % (where % missing)


def _images(values):
    """(component, image, owner) of every image the chart runs, resolved as the chart does
    (thebot.componentImage): an app component naming no repository runs the backend's image and, naming
    neither tag nor digest, the backend's tag and digest too; owner is the component whose image block that is."""
    backend = (values.get("backend") or {}).get("image") or {}
    for name in APPS + DATABASES:
        component = values.get(name) or {}
        if not component.get("enabled", True):
            continue
        image = dict(component.get("image") or {})
        owner = name
        if name in APPS and not image.get("repository") and not (image.get("tag") or image.get("digest")):
            image.update(tag=backend.get("tag"), digest=backend.get("digest"))
            owner = "backend"
        yield name, image, owner


def rule_image_tag_pinned(values, secrets, options):
    default_tag = (values.get("image") or {}).get("tag") or ""
    for name, image, owner in _images(values):
        if image.get("digest"):
            continue
        tag = image.get("tag") or (default_tag if name in APPS else "")
        path = "%s.image.tag" % owner if image.get("tag") or name not in APPS else "image.tag"
        if not tag:
            yield path, "no image tag: the chart would fall back to its appVersion", \
                "pass the release's tag (e.g. -e thebot_image_tag=1.4.2) or a digest in %s.image.digest" % owner
        elif tag == "latest":
            yield path, "the tag 'latest' moves: a rollback would not bring the old code back", \
                "pin a version tag or a digest in %s.image.digest" % owner
        else:
            repository = image.get("repository") or (values.get("backend") or {}).get("image", {}).get("repository", "")
            try:
                parse_image_ref("%s:%s" % (repository or "placeholder", tag))
            except ImageRefError as error:
                yield path, str(error), "use a tag of letters, digits, '.', '_' and '-'"


def rule_image_digests(values, secrets, options):
    """Every image by digest, where the environment asks for it (thebot_require_image_digests): a tag can be
    moved to other bytes after review; a digest names the bytes."""
    told = set()
    for name, image, owner in _images(values):
        if image.get("digest") or owner in told:
            continue
        told.add(owner)
        yield "%s.image.digest" % owner, \
            "%s runs its image by tag, and this environment requires digests (a tag can be moved to other bytes)" % (
                "the backend (with celery, celery-beat and the jobs)" if owner == "backend" else owner), \
            "give the digest the registry reports for the tag: thebot_image_digests.%s=sha256:... in the release's " \
            "extra vars, or %s.image.digest in the inventory" % (owner, owner)


def rule_debug_off(values, secrets, options):
    if values.get("debug"):
        yield "debug", "Django DEBUG is on: tracebacks and settings are shown to visitors", "set debug to false"


def rule_min_replicas(values, secrets, options):
    minimum = options.get("minimum", 2)
    for name in STATELESS:
        component = values.get(name) or {}
        if not component.get("enabled", True):
            continue
        replicas = _min_replicas(component) or 0
        if replicas < minimum:
            scaled = (component.get("autoscaling") or {}).get("enabled")
            path = "%s.%s" % (name, "autoscaling.minReplicas" if scaled else "replicaCount")
            yield path, "%s runs %s replica(s); this environment needs at least %d" % (name, replicas, minimum), \
                "set %s to %d or more" % (path, minimum)


def rule_ingress_tls(values, secrets, options):
    ingress = values.get("ingress") or {}
    if not ingress.get("enabled"):
        return
    covered = {host for entry in ingress.get("tls") or [] for host in entry.get("hosts") or []}
    for index, entry in enumerate(ingress.get("hosts") or []):
        if entry.get("host") not in covered:
            yield "ingress.hosts.%d.host" % index, "%s is served without TLS" % entry.get("host"), \
                "add it to an ingress.tls entry with its certificate's secretName"


def rule_network_policies(values, secrets, options):
    if not (values.get("networkPolicy") or {}).get("enabled"):
        yield "networkPolicy.enabled", "network policies are off: every pod can reach every other", \
            "set networkPolicy.enabled to true"


def rule_disruption_budgets(values, secrets, options):
    for name in STATELESS:
        component = values.get(name) or {}
        if not component.get("enabled", True):
            continue
        replicas = _min_replicas(component) or 0
        budget = (component.get("pdb") or {}).get("minAvailable", 1)
        if isinstance(budget, int) and replicas > 1 and budget >= replicas:
            yield "%s.pdb.minAvailable" % name, \
                "minAvailable %d with %d replicas blocks every node drain" % (budget, replicas), \
                "set %s.pdb.minAvailable below %d" % (name, replicas)
        if replicas < 2:
            yield "%s.replicaCount" % name, "%s gets no PodDisruptionBudget with one replica" % name, \
                "run at least 2 replicas so the chart adds a PodDisruptionBudget"


def rule_storage_classes(values, secrets, options):
    for name in DATABASES:
        component = values.get(name) or {}
        if component.get("enabled", True) and not (component.get("persistence") or {}).get("storageClass"):
            yield "%s.persistence.storageClass" % name, "the cluster's default class would be used", \
                "name the storage class the environment provides"
    for name in ("static", "media"):
        volume = (values.get("persistence") or {}).get(name) or {}
        if volume.get("enabled", True) and not volume.get("storageClass"):
            yield "persistence.%s.storageClass" % name, "the cluster's default class would be used", \
                "name the storage class the environment provides"


def rule_no_inline_secrets(values, secrets, options):
    given = values.get("secrets") or {}
    for credential in options["credentials"]:
        if not credential.get("public") and given.get(credential["value"]):
            yield "secrets.%s" % credential["value"], \
                "a credential in chart values is stored in the release (helm get values)", \
                "remove it from the values; put it in the vault, from which the secrets role writes the Secret"


def rule_secrets_known(values, secrets, options):
    known = [credential["vault"] for credential in options["credentials"]]
    for key in sorted(set(secrets or {}) - set(known)):
        yield "secrets.%s" % key, "%s is no credential the deploy knows (a typo would leave the real one unset)" % key, \
            "rename it to one of %s" % ", ".join(known)


def rule_secrets_complete(values, secrets, options):
    if secrets is None:  # values checked alone: there are no credentials to judge
        return
    for key in (credential["vault"] for credential in options["credentials"]):
        if not (secrets or {}).get(key):
            yield "secrets.%s" % key, "no %s is given, and this environment generates none" % key, \
                "set thebot_secrets.%s in the environment's vault" % key


def rule_credentials_url_safe(values, secrets, options):
    """The chart writes these into DATABASE_URL and REDIS_URL as they are: '@', '/', '?', '#', '%' would break them."""
    for credential in options["credentials"]:
        if not credential.get("url"):
            continue
        for path, value in (("secrets.%s" % credential["vault"], (secrets or {}).get(credential["vault"])),
                            ("secrets.%s" % credential["value"], (values.get("secrets") or {}).get(credential["value"]))):
            if isinstance(value, str) and not URL_SAFE[credential["url"]].match(value):
                user = credential["url"] == "user"
                yield (path, "it holds characters a connection URL would have to escape (DATABASE_URL and REDIS_URL "
                       "take it as it is: no @ / ? # %% or space%s)" % (", and no : in a user" if user else ""),
                       "choose a value of letters, digits and - . _ ~ ! $ & ' ( ) * + , ; =%s (ansible's password "
                       "lookup makes such values); to change one already in use, rotate it on purpose (README)"
                       % ("" if user else " :"))


def rule_no_demo_secrets(values, secrets, options):
    public = [credential["vault"] for credential in options["credentials"] if credential.get("public")]
    for key in sorted(secrets or {}):
        value = secrets[key]
        if not isinstance(value, str) or not value:
            continue
        lowered = value.lower()
        marker = next((m for m in DEMO_MARKERS if m in lowered), None)
        if marker:
            yield "secrets.%s" % key, "the value looks like an example (it contains %r)" % marker, \
                "put a real credential in this environment's vault"
        elif len(value) < MIN_SECRET_LENGTH and key not in public:
            yield "secrets.%s" % key, "the value is %d characters long" % len(value), \
                "use at least %d characters" % MIN_SECRET_LENGTH


RULES = {name[len("rule_"):]: function for name, function in globals().items() if name.startswith("rule_")}


def policy_findings(values, environment, policy=None, secrets=None, credentials=(), require_digests=False):
    """Findings of the environment's policy (the table in policy.py, or the one given); require_digests adds
    the image_digests rule as an error (an inventory's switch: thebot_require_image_digests)."""
    table = policy if policy is not None else POLICIES.get(environment)
    if table is None:
        return [_finding("environment", "policy.environment", "error",
                         "no policy for environment %r" % environment,
                         "use one of %s, or pass a policy" % ", ".join(sorted(POLICIES)))]
    if require_digests:
        table = dict(table, image_digests={"severity": "error"})
    values = with_app_defaults(values)
    findings = []
    for rule, settings in table.items():
        if rule not in RULES:
            findings.append(_finding("policy.%s" % rule, "policy.unknown_rule", "error", "unknown rule %r" % rule,
                                     "use one of %s" % ", ".join(sorted(RULES))))
            continue
        settings = settings if isinstance(settings, dict) else {"severity": settings}
        for path, message, fix in RULES[rule](values, secrets, dict(settings, credentials=credentials)):
            findings.append(_finding(path, rule, settings.get("severity", "error"), message, fix))
    return findings


def check(values, defaults, schema, environment, policy=None, secrets=None, credentials=(), require_digests=False):
    """Findings of the schema and of the environment's policy, for the chart defaults merged with values.

    credentials: the chart's list (read_credentials), which the rules on credentials judge by.
    require_digests: refuse any image named by tag alone (the image_digests rule, as an error).
    """
    if not isinstance(values, dict):
        return [_finding("(top level)", "schema.type", "error",
                         "the values are a %s, not a mapping" % type(values).__name__,
                         "give the chart values as a mapping (key: value)")]
    merged = merge(defaults, values)
    # As helm does: the merged values must satisfy the schema.
    findings = schema_findings(merged, schema)
    if any(f["severity"] == "error" for f in findings):
        # Policy rules read typed values; on a schema error they would only repeat it less clearly.
        return findings
    return findings + policy_findings(merged, environment, policy, secrets, credentials, require_digests)


# ------------------------------------------------------------------------------- the run's own settings
# Checked before the values, which are built from them: a bad namespace or timeout would otherwise fail deep in
# a later step, and a digest under a wrong name would only surface as a chart key nobody wrote.
NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,51}[a-z0-9])?$")
DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")
IMAGE_COMPONENTS = APPS + DATABASES
DIGEST_FORM = "sha256:<64 lower-case hex digits>, as the registry reports them"


def _quoted(value, length=80):
    import json

    return json.dumps(value if isinstance(value, str) else str(value))[:length]


def settings_findings(names=None, durations=None, digests=None):
    """Findings of the run's settings, each given as {variable name: value as the operator gave it}: names for
    Kubernetes and helm (a DNS-1123 label of at most 53 characters, helm's limit for a release), durations for
    helm (Go's form), and image digests (a mapping of components to sha256 digests)."""
    findings = []
    for variable, value in sorted((names or {}).items()):
        if not isinstance(value, str) or not NAME.match(value):
            findings.append(_finding(variable, "settings.name", "error", "%s is not a valid name" % _quoted(value),
                                     "use at most 53 lower-case letters, digits and '-', starting and ending "
                                     "with a letter or digit"))
    for variable, value in sorted((durations or {}).items()):
        if not is_duration(value):
            findings.append(_finding(variable, "settings.duration", "error", "%s is not a duration" % _quoted(value),
                                     "write it as helm does, e.g. 10m, 90s or 1h30m"))
    for variable, given in sorted((digests or {}).items()):
        if not isinstance(given, dict):
            findings.append(_finding(variable, "settings.digests", "error",
                                     "%s is a %s, not a mapping" % (_quoted(given, 200), type(given).__name__),
                                     "map components (%s) to digests of the form %s"
                                     % (", ".join(IMAGE_COMPONENTS), DIGEST_FORM)))
            continue
        for component, digest in sorted(given.items(), key=lambda item: str(item[0])):
            where = "%s.%s" % (variable, component)
            if component not in IMAGE_COMPONENTS:
                findings.append(_finding(where, "settings.digests", "error",
                                         "%s is not a component that runs an image" % _quoted(component),
                                         "use one of %s" % ", ".join(IMAGE_COMPONENTS)))
            elif not isinstance(digest, str) or not DIGEST.match(digest):
                findings.append(_finding(where, "settings.digests", "error",
                                         "%s is not a digest" % _quoted(digest, 200),
                                         "give it in the form %s" % DIGEST_FORM))
    return findings


def format_findings(findings):
    return "\n".join("  - %s: %s [%s]; fix: %s" % (f["path"], f["message"], f["rule"], f["fix"]) for f in findings)


# ------------------------------------------------------------------ the validate_values task, module or action
# One argument spec and one run for both: the action plugin (plugins/action/validate_values.py) runs this in
# ansible-playbook's own process, where the module would cost a Python process of its own per run; the module
# stays for ansible-doc and for a task run elsewhere than the controller.
ARGUMENT_SPEC = dict(
    # Without the three, only the run's settings are checked: a rollback or an uninstall deploys no values, and
    # must not be refused for values it does not use.
    values=dict(type="dict"),
    chart_path=dict(type="path"),
    environment=dict(type="str"),
    policy=dict(type="dict"),
    # Masked by validate() value by value: no_log=True would also mask the user name ("thebot"), and with it
    # every "thebot" of the messages (thebot_image_tag printed as ********_image_tag).
    secrets=dict(type="dict", no_log=False),
    require_digests=dict(type="bool", default=False),
    # The run's settings, each {variable name: value as given}: raw values, so a wrong type gets this check's
    # message (naming the variable) rather than the argument spec's.
    names=dict(type="dict", default={}),
    durations=dict(type="dict", default={}),
    digests=dict(type="dict", default={}),
    fail_on=dict(type="str", choices=["error", "warning"], default="error"),
)
REQUIRED_TOGETHER = [["values", "chart_path", "environment"]]


class ChartUnreadable(Exception):
    """chart_path does not hold a readable chart: the message names the path and the fix."""


def read_chart(chart_path):
    """(defaults, schema, credentials) of the chart at chart_path; raises ChartUnreadable."""
    import json
    import yaml  # ansible-core's own dependency

    try:
        with open(os.path.join(chart_path, "values.yaml")) as handle:
            defaults = yaml.safe_load(handle) or {}
        with open(os.path.join(chart_path, "values.schema.json")) as handle:
            schema = json.load(handle)
        credentials = read_credentials(chart_path)
    except (IOError, OSError) as error:
        raise ChartUnreadable("chart_path %s: %s; point chart_path at charts/thebot" % (chart_path, error))
    except (ValueError, yaml.YAMLError) as error:
        raise ChartUnreadable("chart_path %s: the chart's values, schema or credentials do not parse: %s"
                              % (chart_path, error))
    return defaults, schema, credentials


def secret_strings(given, credentials):
    """The strings no output may show: every given credential's value but the public ones (a user name), unless
    a secret has the same value."""
    given = given or {}
    public = set(credential["vault"] for credential in credentials if credential.get("public"))
    secret = set(str(value) for key, value in given.items() if key not in public and value not in (None, ""))
    return secret


def validate(params):
    """Run the task: returns (result, warnings, failure message or None, the strings to mask in its output).
    Raises ChartUnreadable."""
    # The values are built from the settings (the digests): where a setting is wrong, only it is told.
    findings = settings_findings(params["names"], params["durations"], params["digests"])
    credentials = ()
    if params["values"] is not None:
        defaults, schema, credentials = read_chart(params["chart_path"])
        findings = findings or check(params["values"], defaults, schema, params["environment"], params["policy"],
                                     params["secrets"], credentials, params["require_digests"])
    errors = [f for f in findings if f["severity"] == "error"]
    warnings = [f for f in findings if f["severity"] == "warning"]
    failing = errors + (warnings if params["fail_on"] == "warning" else [])
    result = dict(changed=False, findings=findings, error_count=len(errors), warning_count=len(warnings))
    told = ["%s: %s; fix: %s" % (f["path"], f["message"], f["fix"]) for f in warnings]
    failure = None
    if failing:
        what = "run's settings" if failing[0]["rule"].startswith("settings.") else "%s values" % params["environment"]
        failure = ("%d problem(s) in the %s, nothing was sent to the cluster:\n%s"
                   % (len(failing), what, format_findings(failing)))
    return result, told, failure, secret_strings(params["secrets"], credentials)
