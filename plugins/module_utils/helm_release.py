# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helm 3 release records (Secrets of type helm.sh/release.v1) and what to do with a pending one.

A helm run killed mid-operation leaves its revision in pending-install, pending-upgrade or
pending-rollback, and every later run fails with "another operation is in progress". The safe
recovery is to mark that revision failed, in the record itself: helm then upgrades from it as from
any failed revision. Nothing is deleted, no workload is touched, and `helm history` keeps the entry.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import datetime
import gzip
import json

from ansible_collections.thebot.platform.plugins.module_utils.kube import DynamicApiError, with_auth

PENDING = ("pending-install", "pending-upgrade", "pending-rollback")
RECORD_TYPE = "helm.sh/release.v1"
_GZIP_MAGIC = b"\x1f\x8b\x08"


# The options that name a release, for every module that reads its records (with kubernetes.core's auth).
RELEASE_ARGS = dict(release_name=dict(type="str", required=True, aliases=["name"]),
                    release_namespace=dict(type="str", required=True, aliases=["namespace"]))


def read_records(client, name, namespace):
    """The release's records (helm's Secrets), through a kubernetes.core client."""
    return client.resource("Secret", "v1").get(namespace=namespace, label_selector="owner=helm,name=%s" % name,
                                               field_selector="type=%s" % RECORD_TYPE).to_dict().get("items", [])


def decode_release(encoded):
    """The release JSON from a record's data.release (the API's base64 of helm's base64 of gzip)."""
    raw = base64.b64decode(base64.b64decode(encoded))
    if raw[:3] == _GZIP_MAGIC:
        raw = gzip.decompress(raw)
    return json.loads(raw)


def encode_release(release):
    """The inverse of decode_release, as helm writes it."""
    raw = gzip.compress(json.dumps(release, separators=(",", ":")).encode(), mtime=0)
    return base64.b64encode(base64.b64encode(raw)).decode()


def latest_record(records):
    """The record with the highest revision (helm labels each with version=N)."""
    versioned = [r for r in records if str(r["metadata"].get("labels", {}).get("version", "")).isdigit()]
    return max(versioned, key=lambda r: int(r["metadata"]["labels"]["version"])) if versioned else None


def age_seconds(record, now=None):
    created = record["metadata"]["creationTimestamp"]
    started = datetime.datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return int((now - started).total_seconds())


def plan(records, stale_after, now=None):
    """What to do about a release: ('none'|'wait'|'recover', facts)."""
    record = latest_record(records)
    if record is None:
        return "none", {"status": "absent"}
    labels = record["metadata"]["labels"]
    facts = {"revision": int(labels["version"]), "status": labels.get("status", "unknown"),
             "record": record["metadata"]["name"], "started": record["metadata"]["creationTimestamp"],
             "age_seconds": age_seconds(record, now)}
    deployed = [int(r["metadata"]["labels"]["version"]) for r in records
                if r["metadata"].get("labels", {}).get("status") == "deployed"
                and str(r["metadata"]["labels"].get("version", "")).isdigit()]
    facts["deployed_revision"] = max(deployed) if deployed else 0
    if facts["status"] not in PENDING:
        return "none", facts
    return ("recover" if facts["age_seconds"] >= stale_after else "wait"), facts


def mark_failed(record, description):
    """A copy of the record whose release is failed (status in the payload and in the label)."""
    release = decode_release(record["data"]["release"])
    release.setdefault("info", {})["status"] = "failed"
    release["info"]["description"] = description
    updated = json.loads(json.dumps(record))
    updated["data"]["release"] = encode_release(release)
    updated["metadata"]["labels"]["status"] = "failed"
    return updated


def image_tag(config, app_version):
    """The tag THE_BOT's images run at in a revision: the backend's own, else the chart-wide image.tag of the values
    given (config), else the chart's appVersion (the chart's default). A release by digest keeps its tag here."""
    def tag(values):
        return ((values.get("image") or {}) if isinstance(values, dict) else {}).get("tag") or ""
    return str(tag(config.get("backend")) or tag(config) or app_version)


def history(records):
    """helm history from the records, oldest first: revision, status, chart, app version, image tag, date,
    description.

    Read from each record's payload, of which only these fields leave this function (never the values).
    """
    rows = []
    for record in records:
        labels = record["metadata"].get("labels", {})
        if not str(labels.get("version", "")).isdigit():
            continue
        try:
            release = decode_release(record["data"]["release"])
        except (KeyError, ValueError, TypeError, OSError):
            release = {}
        info = release.get("info") or {}
        metadata = (release.get("chart") or {}).get("metadata") or {}
        rows.append({"revision": int(labels["version"]), "status": labels.get("status") or info.get("status", "unknown"),
                     "chart": "%s-%s" % (metadata.get("name", "?"), metadata.get("version", "?")),
                     "app_version": metadata.get("appVersion", ""),
                     "image_tag": image_tag(release.get("config") or {}, metadata.get("appVersion", "")),
                     "updated": info.get("last_deployed") or record["metadata"].get("creationTimestamp", ""),
                     "description": info.get("description", "")})
    return sorted(rows, key=lambda row: row["revision"])


# ---------------------------------------------------------------- the helm_release_recover task, module or action
RECOVER_ARGUMENT_SPEC = with_auth(stale_after=dict(type="int", default=900), **RELEASE_ARGS)


def recover(module, api_client):
    """The helm_release_recover task, for its module and its action plugin: mark a release's pending revision
    failed when the run that left it is gone (plan() decides). module: an AnsibleModule or a stand-in (params,
    check_mode, warn, exit_json, fail_json, which do not return); api_client() gives kubernetes.core's client."""
    name, namespace = module.params["release_name"], module.params["release_namespace"]
    try:
        client = api_client()
        secrets = client.resource("Secret", "v1")
        records = read_records(client, name, namespace)
    except Exception as error:  # pylint: disable=broad-except  # the client raises many kinds; all mean the same
        module.fail_json(msg="cannot read the records of release %s in namespace %s: %s; check the cluster "
                             "address and credentials" % (name, namespace, str(error).splitlines()[0]))
    action, facts = plan(records, module.params["stale_after"])
    if action == "none":
        module.exit_json(changed=False, action="none", release=facts)
    if action == "wait":
        module.fail_json(msg="release %s revision %d is %s since %s (%d s ago): another deploy may still be "
                             "running. Wait for it to finish; a run interrupted for good is recovered "
                             "automatically once it is %d s old." % (name, facts["revision"], facts["status"],
                                                                     facts["started"], facts["age_seconds"],
                                                                     module.params["stale_after"]),
                         action="wait", release=facts)
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = ("release %s revision %d was %s since %s (%d s): marked failed so the next deploy can proceed; "
               "no object was changed or deleted"
               % (name, facts["revision"], facts["status"], facts["started"], facts["age_seconds"]))
    if module.check_mode:
        module.exit_json(changed=True, action="would-recover", release=facts, msg=message)
    record = next(r for r in records if r["metadata"]["name"] == facts["record"])
    description = "Interrupted while %s; marked failed by thebot.platform.helm_release_recover at %s" % (
        facts["status"], now)
    try:
        # replace() carries the record's resourceVersion: if helm writes it meanwhile, this conflicts.
        secrets.replace(body=mark_failed(record, description), namespace=namespace)
    except DynamicApiError as error:
        if getattr(error, "status", None) == 409:
            module.fail_json(msg="release %s revision %d changed while recovering it: helm is still working on it; "
                                 "run again" % (name, facts["revision"]), release=facts)
        module.fail_json(msg="could not update the record of release %s: %s" % (name, error), release=facts)
    module.warn(message)
    module.exit_json(changed=True, action="recovered", release=facts, msg=message)
