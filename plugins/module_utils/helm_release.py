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


def history(records):
    """helm history from the records, oldest first: revision, status, chart, app version, date, description.

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
                     "updated": info.get("last_deployed") or record["metadata"].get("creationTimestamp", ""),
                     "description": info.get("description", "")})
    return sorted(rows, key=lambda row: row["revision"])
