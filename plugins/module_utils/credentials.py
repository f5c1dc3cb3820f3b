# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credentials_secret task, module or action: the Secret THE_BOT reads, decided and written in one pass.

Each credential comes from the cluster's Secret if it holds it, else from the vault, else is generated where
allowed; the cluster's is replaced only when rotation is asked. A credential the database volume was initialised
with that the cluster no longer holds is never written while that volume exists (unless rotation is asked): the
task refuses, and writes nothing. The work is a function of a `module` (params, check_mode, exit_json(),
fail_json()) and a client factory, so its action plugin runs it in ansible-playbook's process.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import hashlib
import json
import secrets
import string

from ansible_collections.thebot.platform.plugins.module_utils.k8s_read import read
from ansible_collections.thebot.platform.plugins.module_utils.kube import api_error_line, with_auth

ARGUMENT_SPEC = with_auth(
    name=dict(type="str", required=True),
    namespace=dict(type="str", required=True),
    credentials=dict(type="list", elements="dict", required=True),
    values=dict(type="dict", default={}, no_log=True),
    generate=dict(type="list", elements="str", default=[]),
    rotate=dict(type="bool", default=False),
    release_name=dict(type="str", required=True),
    labels=dict(type="dict", default={}))

GENERATED_LENGTH = 40
_GENERATED_CHARACTERS = string.ascii_letters + string.digits


def generated():
    """A new credential: 40 letters and digits, as the role's password lookup made them."""
    return "".join(secrets.choice(_GENERATED_CHARACTERS) for dummy in range(GENERATED_LENGTH))


def _text(value):
    """A vault value as text: vaulted strings decrypt here, numbers are written as YAML gave them."""
    return "" if value is None else str(value)


def lost(credentials, current):
    """The Secret keys the database volume was initialised with (data: true) that the cluster's Secret lacks."""
    return [credential["key"] for credential in credentials
            if credential.get("data") and not current.get(credential["key"])]


def decide(credentials, current, values, generate, rotate, make=generated):
    """(vault key -> value, vault keys kept from the cluster although the vault holds another value).

    current: the cluster's Secret data (key -> base64); values: the vault's, by vault key."""
    decided, kept = {}, []
    for credential in credentials:
        in_cluster = base64.b64decode(current.get(credential["key"]) or "").decode("utf-8")
        in_vault = _text(values.get(credential["vault"]))
        if in_vault and in_cluster and in_vault != in_cluster and not rotate:
            kept.append(credential["vault"])
        if in_cluster and (not in_vault or not rotate):
            decided[credential["vault"]] = in_cluster
        elif in_vault:
            decided[credential["vault"]] = in_vault
        elif credential["vault"] in generate:
            decided[credential["vault"]] = make()
        else:
            decided[credential["vault"]] = ""
    return decided, kept


def missing(credentials, decided):
    """Vault keys of the credentials THE_BOT needs (not optional) that have no value."""
    return [credential["vault"] for credential in credentials
            if "optional" not in credential and not decided[credential["vault"]]]


def secret_data(credentials, decided):
    """The Secret's data: every listed key, base64, empty where an optional credential is not given."""
    return dict((credential["key"], base64.b64encode(decided[credential["vault"]].encode("utf-8")).decode("ascii"))
                for credential in credentials)


def checksum(data):
    """sha256 of the data as the chart's secrets.checksum had it (to_json(sort_keys=true) | hash('sha256')): the
    same credentials give the same checksum, so a deploy that changes none rolls no pod."""
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode("utf-8")).hexdigest()


def orphaned_refusal(params, existing, lost_keys, volumes):
    """Why no credential is written over a database volume that outlived them."""
    where = ("The Secret %s is missing from %s" % (params["name"], params["namespace"]) if existing is None
             else "The Secret %s in %s lacks %s" % (params["name"], params["namespace"], ", ".join(lost_keys)))
    return (
        "%s, but the database volume %s is still there, initialised with the credentials that Secret held: writing "
        "other ones would lock THE_BOT out of its data, so no credential was written. Restore the Secret from your "
        "backup (kubectl apply -n %s -f ...) and run again; or, if the vault holds the credentials the database was "
        "made with, run with -e thebot_rotate_secrets=true to write them. To rotate on purpose, change the password "
        "in PostgreSQL first (ALTER ROLE), then run with thebot_rotate_secrets."
        % (where, ", ".join(volumes), params["namespace"]))


def missing_refusal(missing_keys):
    return ("The vault lacks thebot_secrets.%s and this environment generates none of them: add them with "
            "ansible-vault edit." % ", thebot_secrets.".join(missing_keys))


def _read(client, kind, name=None, namespace=None, labels=()):
    """k8s_read's read of v1 objects: [] when none (a name that does not exist included)."""
    return read(client, dict(kind=kind, api_version="v1", name=name, namespace=namespace,
                             label_selectors=list(labels), field_selectors=[]))


def _needs_writing(existing, data, labels):
    if existing is None:
        return True
    held = existing["metadata"].get("labels") or {}
    return (existing.get("data") or {}) != data or any(held.get(key) != value for key, value in labels.items())


class _Step(object):
    """What the task is doing, for the message of an API error."""

    def __init__(self, params):
        self.doing = "read the Secret %s in namespace %s" % (params["name"], params["namespace"])


def _work(params, check_mode, client, step):
    """The task's result: what was decided and written, or why nothing was."""
    existing = (_read(client, "Secret", name=params["name"], namespace=params["namespace"]) or [None])[0]
    current = (existing or {}).get("data") or {}
    result = dict(changed=False, refused="", kept=[], action="unchanged", checksum="",
                  credentials=len(params["credentials"]), namespace_exists=True)
    lost_keys = lost(params["credentials"], current)
    if lost_keys and not params["rotate"]:
        step.doing = "look for the database volume of release %s" % params["release_name"]
        volumes = [volume["metadata"]["name"] for volume in _read(
            client, "PersistentVolumeClaim", namespace=params["namespace"],
            labels=["app.kubernetes.io/instance=%s" % params["release_name"], "app.kubernetes.io/component=postgresql"])]
        if volumes:
            return dict(result, refused=orphaned_refusal(params, existing, lost_keys, volumes))
    decided, result["kept"] = decide(params["credentials"], current, params["values"], params["generate"],
                                     params["rotate"])
    missing_keys = missing(params["credentials"], decided)
    if missing_keys:
        return dict(result, refused=missing_refusal(missing_keys))
    data = secret_data(params["credentials"], decided)
    result["checksum"] = checksum(data)
    if not _needs_writing(existing, data, params["labels"]):
        return result
    result.update(changed=True, action="created" if existing is None else "replaced")
    if check_mode:
        if existing is None:
            step.doing = "read namespace %s" % params["namespace"]
            result["namespace_exists"] = bool(_read(client, "Namespace", name=params["namespace"]))
        return result
    # Replaced whole, so a key the list no longer has (an older release's DATABASE_URL) goes too; with the
    # version read, so a change made since is not overwritten unseen.
    metadata = dict(name=params["name"], namespace=params["namespace"], labels=params["labels"])
    if existing is not None:
        metadata["resourceVersion"] = existing["metadata"]["resourceVersion"]
    body = dict(apiVersion="v1", kind="Secret", type="Opaque", metadata=metadata, data=data)
    verb = "create" if existing is None else "replace"
    step.doing = "%s the Secret %s in namespace %s" % (verb, params["name"], params["namespace"])
    secrets_api = client.resource("Secret", "v1")
    if existing is None:
        secrets_api.create(body=body, namespace=params["namespace"])
    else:
        secrets_api.replace(body=body, name=params["name"], namespace=params["namespace"])
    return result


def run(module, api_client):
    """The credentials_secret task, for its module and its action plugin. A refusal is a result (refused), not a
    failure: the task is no_log, so the task after it says why (see the module's documentation)."""
    step = _Step(module.params)
    try:
        result = _work(module.params, module.check_mode, api_client(), step)
    except Exception as error:  # pylint: disable=broad-except  # the client raises many kinds; one meaning
        module.fail_json(msg="cannot %s: %s" % (step.doing, api_error_line(error)))
    module.exit_json(**result)
