#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: release_lock
author: thebot platform team (@thebot-platform)
version_added: "0.2.0"
short_description: Take or give back the deploy lock of a release (a Kubernetes Lease)
description:
  - Two deploys of one release at once would race on its credentials and its Helm revision. This module
    holds a C(coordination.k8s.io/v1) Lease for the run, as Kubernetes' leader election does; a second
    run waits for it (up to I(wait) seconds) or fails with who holds it since when.
  - Taking the lock is atomic (the Lease is created, or replaced with its resourceVersion), so of two runs
    exactly one wins.
  - A run that dies cannot give the lock back. The next run takes it over, reporting C(expired=true), as
    soon as the holder is provably gone (it ran on this host and its ansible-playbook process, by PID and
    start time, no longer exists), once it was taken more than I(takeover_after) seconds ago when the
    operator sets that bound, and otherwise when its I(duration) runs out. A Helm revision left pending by
    the dead run then has no writer left (see thebot.platform.helm_release_recover).
  - A helm process on this host still writing I(release) (left running by a killed ansible-playbook) is
    never raced. The lock is not taken over while it runs; the run waits for it (I(wait)) or fails naming
    its PID.
options:
  name:
    description: Name of the Lease.
    type: str
    required: true
  namespace:
    description: Namespace of the Lease (the release's).
    type: str
    required: true
  state:
    description: C(acquired) takes the lock; C(released) gives it back if I(holder) holds it.
    type: str
    choices: [acquired, released]
    default: acquired
  holder:
    description:
      - Who holds the lock. With C(acquired), defaults to user@host and a random suffix unique to the run;
        with C(released), the C(holder) returned when it was acquired.
    type: str
  duration:
    description:
      - Seconds the lock is held at most; a run that dies frees it after this. Keep it above the longest
        run (the Helm timeout and some minutes for the rest).
    type: int
    default: 900
  wait:
    description: Seconds to wait for a lock another run holds; 0 fails at once.
    type: int
    default: 0
  takeover_after:
    description:
      - Take over a lock that was taken more than this many seconds ago, whoever holds it. This is the operator's
        bound, for a holder on another host (or in another container) that cannot be proven gone. Unset,
        only the holder's own I(duration) frees it.
    type: int
  release:
    description:
      - The Helm release the lock guards (in I(namespace)); a helm process on this host writing it keeps a
        dead run's lock from being taken over. Unset, no process is looked for.
    type: str
  interrupted:
    description:
      - With C(released), give the lock back as a run that did not finish (its Helm run neither completed nor
        rolled back); the Lease is left expired, so the next run knows, as after a run that died, that a
        revision left pending has no writer and undoes it.
    type: bool
    default: false
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
requirements:
  - kubernetes >= 24.2.0
attributes:
  check_mode:
    support: full
    description: Reads the Lease, reports whether the lock would be taken, and writes nothing.
"""

EXAMPLES = r"""
- name: Take the deploy lock (wait up to 5 minutes for another run)
  thebot.platform.release_lock:
    name: thebot-deploy-lock
    namespace: thebot-prod
    duration: 1200
    wait: 300
  register: lock

- name: Give it back
  thebot.platform.release_lock:
    name: thebot-deploy-lock
    namespace: thebot-prod
    state: released
    holder: "{{ lock.holder }}"
"""

RETURN = r"""
holder:
  description: Who holds the lock now (this run, after C(acquired)).
  returned: always
  type: str
taken:
  description: This run holds the lock now (false in check mode, and where the namespace does not exist).
  returned: when state is acquired
  type: bool
expired:
  description: The lock was taken over from a run that died holding it (C(previous.why) says how that is known).
  returned: when state is acquired
  type: bool
previous:
  description:
    - The Lease as found (holder, acquired, duration, expires); empty when there was none.
    - C(why) says why a lease still held by another run was taken over.
  returned: always
  type: dict
waited:
  description: Seconds spent waiting for another run.
  returned: when state is acquired
  type: int
helm_pids:
  description: PIDs of helm processes on this host still writing I(release) when the lock could not be taken.
  returned: when such a helm kept the lock from being taken over
  type: list
  elements: int
"""

import copy
import getpass
import os
import socket
import time
import uuid

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule
from ansible_collections.thebot.platform.plugins.module_utils.lease_lock import (
    assess, controller_process, expired_body, helm_writers, holder_identity, lease_body, now_utc, process_alive)

try:
    from kubernetes.dynamic.exceptions import DynamicApiError
except ImportError:  # reported by AnsibleK8SModule's requirement check
    DynamicApiError = Exception

POLL_SECONDS = 2


def _status(error):
    return getattr(error, "status", None)


def main():
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(name=dict(type="str", required=True), namespace=dict(type="str", required=True),
                state=dict(type="str", choices=["acquired", "released"], default="acquired"),
                holder=dict(type="str"), duration=dict(type="int", default=900), wait=dict(type="int", default=0),
                takeover_after=dict(type="int"), release=dict(type="str"), interrupted=dict(type="bool", default=False))
    module = AnsibleK8SModule(argument_spec=spec, supports_check_mode=True,
                              required_if=[("state", "released", ["holder"])])
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

    params = module.params
    name, namespace = params["name"], params["namespace"]
    where = "lock %s in namespace %s" % (name, namespace)
    try:
        leases = get_api_client(module=module).resource("Lease", "coordination.k8s.io/v1")
    except Exception as error:  # the client raises many kinds; all mean the same to the operator
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


def first_line(error):
    return (str(error).strip().splitlines() or ["no message"])[0]


def fail_or_warn(module, message):
    """Giving the lock back is best effort (the lease expires anyway); taking it is not."""
    if module.params["state"] == "released":
        module.warn(message)
        module.exit_json(changed=False, holder=module.params["holder"], previous={})
    module.fail_json(msg=message)


def holder_gone(parsed):
    """The holder ran on this host and its ansible-playbook process is no more: provably gone."""
    return parsed["host"] == socket.gethostname() and not process_alive(parsed["pid"], parsed["started"])


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
        helms = helm_writers(params["release"], params["namespace"]) if params["release"] and state == "expired" else []
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


if __name__ == "__main__":
    main()
