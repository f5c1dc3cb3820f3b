# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether a release matches its inventory, and how it differs: the release_drift task, module or action.

Two questions, answered apart because they call for different fixes:
- inventory: what would the next deploy change? helm-diff's render of the inventory's values against the
  release's stored manifest (an inventory change not yet deployed, a new chart).
- live: did someone change the release's objects since it was deployed (kubectl edit, scale, delete)? Each object
  of the deployed manifest against the object in the cluster, on the fields the manifest sets.
Only reads: helm-diff renders client-side and reads the release; the live objects are read with GET.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import decimal
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

from ansible_collections.thebot.platform.plugins.module_utils.helm_release import (
    PENDING, RELEASE_ARGS, decode_release, history, latest_record, read_records)
from ansible_collections.thebot.platform.plugins.module_utils.helm_tools import helm_environment, values_yaml
from ansible_collections.thebot.platform.plugins.module_utils.kube import DynamicApiError, first_line, with_auth
from ansible_collections.thebot.platform.plugins.module_utils.lease_lock import assess, now_utc
from ansible_collections.thebot.platform.plugins.module_utils.quantity import QuantityError, parse_quantity

try:
    import yaml
except ImportError:  # reported by the caller's requirement check (kubernetes depends on PyYAML)
    yaml = None

ABSENT = "(absent)"
HIDDEN = "(hidden)"
# Field managers that are the cluster's own (controllers write status, revision annotations): not "by hand".
_CLUSTER_MANAGERS = ("helm", "kube-", "kwok")
_HEADER = re.compile(r"^(?P<namespace>[^,\s]*), (?P<name>[^,\s]+), (?P<kind>[^\s(]+) \((?P<group>[^)]*)\) "
                     r"has (?P<change>changed|been added|been removed):$")
_CHANGES = {"changed": "changed", "been added": "added", "been removed": "removed"}
_MISSING = object()


# ---------------------------------------------------------------- comparing two objects
def _key_path(path, key):
    key = str(key)
    if re.match(r"^[A-Za-z_][A-Za-z0-9_-]*$", key):
        return "%s.%s" % (path, key) if path else key
    return '%s["%s"]' % (path, key)


def _same_quantity(one, other):
    if isinstance(one, bool) or isinstance(other, bool) or not (isinstance(one, str) or isinstance(other, str)):
        return False
    try:
        return parse_quantity(one) == parse_quantity(other)
    except (QuantityError, ArithmeticError, decimal.InvalidOperation, TypeError, ValueError):
        return False


def _same(desired, actual, subset):
    if isinstance(desired, bool) != isinstance(actual, bool):  # True == 1 in Python, not in a manifest
        return subset and actual is _MISSING and desired is None
    if desired == actual or _same_quantity(desired, actual):
        return True
    # A manifest's empty or null field is the object's absent one (the API server drops them).
    return subset and actual is _MISSING and desired in (None, {}, [], "")


def differences(desired, actual, subset=False, path=""):
    """[(path, desired, actual)] where two objects differ; absent is _MISSING. subset: only the fields `desired`
    sets (a manifest against the live object, which the API server fills with defaults and status)."""
    if isinstance(desired, dict) and isinstance(actual, dict):
        keys = list(desired) if subset else sorted(set(desired) | set(actual), key=str)
        found = []
        for key in keys:
            found += differences(desired.get(key, _MISSING), actual.get(key, _MISSING), subset, _key_path(path, key))
        return found
    if isinstance(desired, list) and isinstance(actual, list):
        found = []
        for index in range(max(len(desired), len(actual))):
            found += differences(desired[index] if index < len(desired) else _MISSING,
                                 actual[index] if index < len(actual) else _MISSING, subset, "%s[%d]" % (path, index))
        return found
    return [] if _same(desired, actual, subset) else [(path, desired, actual)]


def _shown(value, hidden):
    if hidden:
        return HIDDEN
    return ABSENT if value is _MISSING else value


def _fields(found, before, after, hidden):
    return [{"path": path, before: _shown(old, hidden), after: _shown(new, hidden)} for path, old, new in found]


# ---------------------------------------------------------------- inventory against release: helm-diff
def parse_helm_diff(text):
    """helm-diff's output (format diff, full context, no colour) as [{object, kind, name, namespace, change,
    before, after}], before and after being each object's YAML as the release has it and as the render has it."""
    sections, current = [], None
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            current = dict(header.groupdict(), old=[], new=[])
            sections.append(current)
            continue
        if current is None or not line:
            continue
        marker, content = line[:1], line[2:]
        if marker in (" ", "-"):
            current["old"].append(content)
        if marker in (" ", "+"):
            current["new"].append(content)
    return [{"object": "%s/%s" % (s["kind"], s["name"]), "kind": s["kind"], "name": s["name"],
             "namespace": s["namespace"], "change": _CHANGES[s["change"]],
             "before": "\n".join(s["old"]), "after": "\n".join(s["new"])} for s in sections]


def _load(text):
    try:
        return yaml.safe_load(text) if text.strip() else _MISSING
    except yaml.YAMLError:
        return None


def inventory_changes(diff_text):
    """What the next deploy would change, object by object and field by field. A Secret's values never leave
    this function (helm-diff already redacts them; their paths are enough to act on)."""
    changes = []
    for section in parse_helm_diff(diff_text):
        before, after = _load(section["before"]), _load(section["after"])
        hidden = section["kind"] == "Secret"
        if section["change"] != "changed":
            fields = []
        elif before is None or after is None:
            fields = [{"path": "(unparsed)", "release": HIDDEN, "inventory": HIDDEN}]
        else:
            fields = _fields(differences(before, after), "release", "inventory", hidden)
        changes.append({"object": section["object"], "namespace": section["namespace"], "change": section["change"],
                        "fields": fields})
    return changes


def run_helm_diff(params, values):
    """helm diff upgrade of the release with these values: its output (rc, stdout, stderr). The values go by a
    file only this user can read, in a directory removed afterwards."""
    directory = tempfile.mkdtemp(prefix="thebot-drift-")
    try:
        values_file = os.path.join(directory, "values.yaml")
        with os.fdopen(os.open(values_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
            handle.write(values_yaml(values))
        argv = [params["helm_binary"], "diff", "upgrade", params["release_name"], params["chart_path"],
                "--namespace", params["release_namespace"], "--values", values_file, "--reset-values",
                "--no-color", "--context", "-1"]
        process = subprocess.run(argv, env=helm_environment(params, params.get("helm_plugins")), check=False,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=params["timeout"])
        return process.returncode, process.stdout.decode("utf-8", "replace"), process.stderr.decode("utf-8", "replace")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


# ---------------------------------------------------------------- release against live objects
def _managers(live):
    """Who wrote the object besides helm and the cluster's own controllers (kubectl-edit, kubectl for a scale)."""
    names = set()
    for entry in (live.get("metadata") or {}).get("managedFields") or []:
        manager = entry.get("manager") or ""
        if entry.get("subresource") == "status" or manager.startswith(_CLUSTER_MANAGERS):
            continue
        names.add(manager)
    return sorted(names)


def _as_live(manifest_object):
    """A manifest object as the API server stores it where the two spellings differ: a Secret's stringData
    becomes base64 data."""
    if manifest_object.get("kind") != "Secret" or not manifest_object.get("stringData"):
        return manifest_object
    converted = dict(manifest_object)
    data = dict(converted.get("data") or {})
    for key, value in converted.pop("stringData").items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    converted["data"] = data
    return converted


def deployed_objects(release):
    """The objects a deployed release keeps in the cluster: its manifest's, and its hooks' other than Jobs and
    Pods (the chart's ConfigMap is a pre-install/pre-upgrade hook, so it exists before the migration Job runs)."""
    texts = [release.get("manifest") or ""]
    texts += [hook.get("manifest") or "" for hook in release.get("hooks") or []
              if hook.get("kind") not in ("Job", "Pod") and "hook-succeeded" not in (hook.get("delete_policies") or [])]
    return [doc for text in texts for doc in yaml.safe_load_all(text) if isinstance(doc, dict) and doc.get("kind")]


def live_changes(client, objects, namespace):
    """Each object of the deployed release that the cluster no longer holds as deployed: missing, or changed on
    a field the release sets (status aside), with who changed it."""
    changes = []
    for desired in objects:
        metadata = desired.get("metadata") or {}
        label = "%s/%s" % (desired["kind"], metadata.get("name"))
        object_namespace = metadata.get("namespace") or namespace
        try:
            resource = client.resource(desired["kind"], desired.get("apiVersion"))
            live = resource.get(name=metadata.get("name"),
                                namespace=object_namespace if resource.namespaced else None).to_dict()
        except DynamicApiError as error:
            if getattr(error, "status", None) != 404:
                raise
            changes.append({"object": label, "namespace": object_namespace, "change": "missing", "fields": [],
                            "by": []})
            continue
        found = [f for f in differences(_as_live(desired), live, subset=True) if not f[0].startswith("status")]
        if found:
            changes.append({"object": label, "namespace": object_namespace, "change": "changed",
                            "fields": _fields(found, "release", "live", desired["kind"] == "Secret"),
                            "by": _managers(live)})
    return changes


# ---------------------------------------------------------------- the credentials the next deploy would use
def credentials_checksum(secret):
    """The checksum the secrets role gives the chart for this Secret's data (to_json(sort_keys=true) | hash):
    a deploy keeps the cluster's credentials, so the next deploy's pods get this one."""
    data = secret.get("data") or {}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def credentials_change(name, namespace, secret, deployed_values):
    """The credentials Secret as a hand change: deleted, or its data no longer what the release was deployed with
    (the release keeps its checksum, never the data). Never a value, only that it changed."""
    if not name:
        return []
    if secret is None:
        return [{"object": "Secret/%s" % name, "namespace": namespace, "change": "missing", "fields": [], "by": []}]
    deployed = (deployed_values.get("secrets") or {}).get("checksum")
    if deployed and deployed != credentials_checksum(secret):
        return [{"object": "Secret/%s" % name, "namespace": namespace, "change": "changed",
                 "fields": [{"path": "data", "release": HIDDEN, "live": HIDDEN}], "by": _managers(secret)}]
    return []


def _merge(base, extra):
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _merge(merged[key], value) if isinstance(merged.get(key), dict) and isinstance(value, dict) \
            else value
    return merged


def _read(resource, name, namespace):
    try:
        return resource.get(name=name, namespace=namespace).to_dict()
    except DynamicApiError as error:
        if getattr(error, "status", None) == 404:
            return None
        raise


def read_lock(client, name, namespace):
    """The deploy lock's state and facts (lease_lock.assess); {} without a name."""
    if not name:
        return {}
    state, facts = assess(_read(client.resource("Lease", "coordination.k8s.io/v1"), name, namespace), now_utc())
    return dict(facts, state=state)


def _some(items, count):
    return ", ".join(items[:count]) + (" and %d more" % (len(items) - count) if len(items) > count else "")


def summary(result):
    """One line: the state and, where it matters, what differs."""
    state = result["state"]
    release = result.get("release") or {}
    if state == "not-installed":
        return "not installed (no release %s)" % result["release_name"]
    if state == "stuck":
        said = (release.get("description") or "no description").strip().splitlines()[0]
        return "stuck: revision %s is %s (%s); see status.yml" % (
            release.get("revision"), release.get("status"), said if len(said) <= 100 else said[:97] + "...")
    if state == "locked":
        return "locked: held by %s since %s" % (result["lock"].get("holder"), result["lock"].get("acquired"))
    where = "revision %s (%s)" % (release.get("revision"), release.get("app_version"))
    if state == "in-sync":
        return "in sync at " + where
    parts = []
    if result["inventory"]:
        objects = [c["object"] + ("" if c["change"] == "changed" else " " + c["change"]) for c in result["inventory"]]
        parts.append("the inventory would change %d object(s): %s" % (len(objects), _some(objects, 4)))
    if result["live"]:
        parts.append("changed by hand: " + _some(["%s %s%s" % (
            c["object"], c["change"] if c["change"] != "changed" else _some([f["path"] for f in c["fields"]], 3),
            " (by %s)" % ", ".join(c["by"]) if c.get("by") else "") for c in result["live"]], 4))
    return "drifted at %s: %s" % (where, "; ".join(parts))


# ---------------------------------------------------------------- the release_drift task, module or action
DRIFT_ARGUMENT_SPEC = with_auth(
    chart_path=dict(type="path", required=True),
    release_values=dict(type="dict", default={}, aliases=["values"]),
    secret_name=dict(type="str"),
    lock_name=dict(type="str"),
    helm_binary=dict(type="path", default="helm"),
    helm_plugins=dict(type="path"),
    timeout=dict(type="int", default=300),
    **RELEASE_ARGS)


def drift(module, api_client):
    """The release_drift task, for its module and its action plugin (module: an AnsibleModule or a stand-in;
    api_client() gives kubernetes.core's client). Reads only."""
    params = module.params
    name, namespace = params["release_name"], params["release_namespace"]
    result = {"release_name": name, "namespace": namespace, "inventory": [], "live": [], "release": {}}
    try:
        client = api_client()
        records = read_records(client, name, namespace)
        result["lock"] = read_lock(client, params["lock_name"], namespace)
        secret = _read(client.resource("Secret", "v1"), params["secret_name"], namespace) \
            if params["secret_name"] else None
    except Exception as error:  # pylint: disable=broad-except  # the client raises many kinds; one meaning
        module.fail_json(msg="cannot read release %s in namespace %s: %s" % (
            name, namespace, first_line(error)), cause="unreachable")
    rows = history(records)
    record = latest_record(records)
    if not rows or rows[-1]["status"] in ("uninstalled", "uninstalling"):
        result["state"] = "not-installed"
    else:
        result["release"] = rows[-1]
        if rows[-1]["status"] in PENDING + ("failed",):
            result["state"] = "stuck"
        elif result["lock"].get("state") == "held":
            result["state"] = "locked"
    if "state" not in result:
        release = decode_release(record["data"]["release"])
        deployed_values = release.get("config") or {}
        checksum = credentials_checksum(secret) if secret else \
            (deployed_values.get("secrets") or {}).get("checksum", "")
        values = _merge(params["release_values"], {"secrets": {"checksum": checksum}})
        result["live"] += credentials_change(params["secret_name"], namespace, secret, deployed_values)
        try:
            result["live"] += live_changes(client, deployed_objects(release), namespace)
        except Exception as error:  # pylint: disable=broad-except
            module.fail_json(msg="cannot read the live objects of release %s: %s" % (
                name, first_line(error)), cause="unreachable")
        try:
            rc, out, err = run_helm_diff(params, values)
        except (OSError, subprocess.TimeoutExpired) as error:
            module.fail_json(msg="cannot run helm diff (%s): %s" % (params["helm_binary"], error), cause="helm")
        if rc != 0:
            lines = [line for line in err.splitlines() if line.strip()]
            module.fail_json(msg="helm diff of release %s failed: %s" % (
                name, next((l for l in lines if l.startswith("Error:")), lines[-1] if lines else "no message")),
                cause="render")
        result["inventory"] = inventory_changes(out)
        result["state"] = "drifted" if result["inventory"] or result["live"] else "in-sync"
    result["summary"] = summary(result)
    module.exit_json(changed=False, **result)
