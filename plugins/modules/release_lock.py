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
  - thebot.platform.cluster
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

from ansible_collections.thebot.platform.plugins.module_utils.kube import run_module
from ansible_collections.thebot.platform.plugins.module_utils.lock_task import ARGUMENT_SPEC, REQUIRED_IF, run


def main():
    run_module(ARGUMENT_SPEC, run, REQUIRED_IF)


if __name__ == "__main__":
    main()
