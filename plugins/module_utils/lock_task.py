# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release_lock task, shared by its module and its action plugin: take or give back a release's deploy lock.

run() drives a `module`: an AnsibleModule, or the action plugin's stand-in, with params, check_mode, warn(),
and exit_json()/fail_json(), which do not return. The Lease and the processes on this host are lease_lock's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import getpass
import os
import socket
import time
import uuid

from ansible_collections.thebot.platform.plugins.module_utils.kube import DynamicApiError, first_line, with_auth
from ansible_collections.thebot.platform.plugins.module_utils.lease_lock import (
    assess, controller_process, expired_body, helm_writers, holder_identity, kubeconfig_server, lease_body, now_utc,
    process_alive)

ARGUMENT_SPEC = with_auth(name=dict(type="str", required=True), namespace=dict(type="str", required=True),
                          state=dict(type="str", choices=["acquired", "released"], default="acquired"),
                          holder=dict(type="str"), duration=dict(type="int", default=900),
                          wait=dict(type="int", default=0), takeover_after=dict(type="int"), release=dict(type="str"),
                          interrupted=dict(type="bool", default=False))
REQUIRED_IF = [("state", "released", ["holder"])]

POLL_SECONDS = 2


def _status(error):
    return getattr(error, "status", None)


def fail_or_warn(module, message):
    """Giving the lock back is best effort (the lease expires anyway); taking it is not."""
    if module.params["state"] == "released":
        module.warn(message)
        module.exit_json(changed=False, holder=module.params["holder"], previous={})
    module.fail_json(msg=message)


def holder_gone(parsed):
    """The holder ran on this host and its ansible-playbook process is no more: provably gone."""
    return parsed["host"] == socket.gethostname() and not process_alive(parsed["pid"], parsed["started"])


def lock_server(params):
    """The API server this task reaches, as kubernetes.core resolves it (its options, else K8S_AUTH_*, else
    KUBECONFIG or ~/.kube/config); None when that cannot be told (every helm of the release then counts)."""
    host = params.get("host") or os.environ.get("K8S_AUTH_HOST")
    if host:
        return host
    kubeconfig = params.get("kubeconfig") or os.environ.get("K8S_AUTH_KUBECONFIG") or os.environ.get("KUBECONFIG") \
        or "~/.kube/config"
    return kubeconfig_server(kubeconfig, params.get("context") or os.environ.get("K8S_AUTH_CONTEXT"))


def acquire(module, leases, read, where):
    params = module.params
    holder = params["holder"]
    if not holder:
        pid, started = controller_process(os.getpid())
        holder = holder_identity(getpass.getuser(), socket.gethostname(), pid, started, uuid.uuid4().hex[:8])
    started = time.monotonic()
    while True:
        try:
            lease = read()
        except Exception as error:  # pylint: disable=broad-except
            module.fail_json(msg="cannot read the %s: %s" % (where, first_line(error)))
        state, facts = assess(lease, now_utc(), params["takeover_after"], holder_gone)
        waited = int(time.monotonic() - started)
        if state == "held" and facts["holder"] == holder:
            module.exit_json(changed=False, taken=True, holder=holder, expired=False, previous=facts, waited=waited)
        # A dead run's helm may live on (only ansible-playbook was killed): never start a second one. (A live
        # holder's helm is its own business: the lock, held, already says so.)
        helms = helm_writers(params["release"], params["namespace"], server=lock_server(params)) \
            if params["release"] and state == "expired" else []
        if state == "held" or helms:
            if time.monotonic() - started < params["wait"]:
                time.sleep(POLL_SECONDS)
                continue
            if helms:
                module.fail_json(
                    msg="helm is still writing release %s in namespace %s on this host (%s), left running by the run "
                        "that held the %s (%s): wait for it to finish (the playbooks' thebot_lock_wait=SECONDS) or "
                        "stop it (kill %s); then run again. Waited %d s."
                        % (params["release"], params["namespace"],
                           ", ".join("PID %d, helm %s" % helm for helm in helms), where, facts["holder"],
                           " ".join(str(pid) for pid, _command in helms), waited),
                    holder=facts["holder"], previous=facts, waited=waited, helm_pids=[pid for pid, _c in helms])
            module.fail_json(
                msg="another deploy holds the %s: %s, since %s (waited %d s). Wait for it to finish, or run with a "
                    "lock wait (the playbooks' thebot_lock_wait=SECONDS); if that run died, the lock frees itself "
                    "at %s, or at once with the playbooks' thebot_lock_takeover_after=SECONDS once you know it is "
                    "gone (README: when a run was killed)."
                    % (where, facts["holder"], facts["acquired"], waited, facts["expires"]),
                holder=facts["holder"], previous=facts, waited=waited)
        if state == "expired":
            module.warn("the %s was left by %s, who took it at %s: %s; that run did not finish; this run takes it over"
                        % (where, facts["holder"], facts["acquired"], facts.get("why", "it expired")))
        if module.check_mode:
            module.exit_json(changed=True, taken=False, holder=holder, expired=state == "expired", previous=facts,
                             waited=waited)
        body = lease_body(params["name"], params["namespace"], holder, params["duration"], now_utc(), lease)
        try:
            if lease is None:
                leases.create(body=body, namespace=params["namespace"])
            else:
                leases.replace(body=body, namespace=params["namespace"])
        except DynamicApiError as error:
            if _status(error) == 409:  # another run took it between our read and our write: look again
                continue
            if _status(error) == 404:  # no namespace, so no release to guard (an uninstall of nothing)
                module.exit_json(changed=False, taken=False, holder=holder, expired=False, previous=facts, waited=waited,
                                 msg="namespace %s does not exist: nothing to lock" % params["namespace"])
            module.fail_json(msg="cannot take the %s: %s" % (where, first_line(error)))
        module.exit_json(changed=True, taken=True, holder=holder, expired=state == "expired", previous=facts,
                         waited=waited)


def release(module, leases, read, where):
    holder = module.params["holder"]
    try:
        lease = read()
    except Exception as error:  # pylint: disable=broad-except
        fail_or_warn(module, "cannot give back the %s: %s; it frees itself when it expires" % (where, first_line(error)))
    state, facts = assess(lease, now_utc())
    if lease is None or facts.get("holder") != holder:
        if state == "held":
            module.warn("the %s is held by %s, not by this run (%s): this run outlived its lock's duration; "
                        "raise it" % (where, facts["holder"], holder))
        module.exit_json(changed=False, holder=facts.get("holder", ""), previous=facts)
    if module.check_mode:
        module.exit_json(changed=True, holder="", previous=facts)
    try:
        if module.params["interrupted"]:
            leases.replace(body=expired_body(lease), namespace=module.params["namespace"])
        else:
            leases.delete(name=module.params["name"], namespace=module.params["namespace"],
                          body={"preconditions": {"resourceVersion": lease["metadata"]["resourceVersion"]}})
    except Exception as error:  # pylint: disable=broad-except
        # 404 or 409: gone, or taken over meanwhile; anything else (the API away): it expires by itself.
        if _status(error) not in (404, 409):
            fail_or_warn(module, "cannot give back the %s: %s; it frees itself when it expires"
                         % (where, first_line(error)))
    module.exit_json(changed=True, holder="", previous=facts)


def run(module, api_client):
    """Take or give back the lock as module.params say; api_client() gives kubernetes.core's client."""
    params = module.params
    name, namespace = params["name"], params["namespace"]
    where = "lock %s in namespace %s" % (name, namespace)
    try:
        leases = api_client().resource("Lease", "coordination.k8s.io/v1")
    except Exception as error:  # pylint: disable=broad-except  # the client raises many kinds; all mean the same
        fail_or_warn(module, "cannot reach the cluster to handle the %s: %s" % (where, first_line(error)))

    def read():
        try:
            return leases.get(name=name, namespace=namespace).to_dict()
        except DynamicApiError as error:
            if _status(error) == 404:
                return None
            raise

    if params["state"] == "released":
        release(module, leases, read, where)
    acquire(module, leases, read, where)
