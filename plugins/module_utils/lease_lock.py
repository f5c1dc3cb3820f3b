# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A deploy lock held in a coordination.k8s.io/v1 Lease, as Kubernetes' own leader election does.

Helm refuses a second operation on a release only once the first has written its pending revision;
before that (while credentials are templated, while values are compared) two runs race. The lock
covers the whole run. A run that dies cannot release it: the lease then expires after its duration,
and the next run knows that the dead run's pending revision, if any, has no writer left.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

_MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def micro_time(moment):
    """A Lease's MicroTime, as the API writes it."""
    return moment.strftime(_MICRO)


def parse_time(text):
    for pattern in (_MICRO, "%Y-%m-%dT%H:%M:%SZ"):
        try:
            return datetime.datetime.strptime(text, pattern).replace(tzinfo=datetime.timezone.utc)
        except (TypeError, ValueError):
            continue
    return None


def assess(lease, now):
    """('free'|'held'|'expired', facts) of a Lease (its API dict; None when it does not exist)."""
    if not lease:
        return "free", {}
    spec = lease.get("spec") or {}
    holder = spec.get("holderIdentity") or ""
    renewed = parse_time(spec.get("renewTime") or spec.get("acquireTime"))
    duration = int(spec.get("leaseDurationSeconds") or 0)
    facts = {"holder": holder, "acquired": spec.get("acquireTime"), "duration": duration}
    if not holder:
        return "free", facts
    if renewed is None:
        return "expired", facts  # a lease nobody can date cannot be trusted to be alive
    expires = renewed + datetime.timedelta(seconds=duration)
    facts["expires"] = micro_time(expires)
    return ("held" if expires > now else "expired"), facts


def lease_body(name, namespace, holder, duration, now, existing=None):
    """The Lease that says `holder` holds the lock from `now` for `duration` seconds.

    On an existing Lease the resourceVersion is kept: replacing it then fails with a conflict if
    another run took it in between, which is what makes taking the lock atomic.
    """
    metadata = {"name": name, "namespace": namespace,
                "labels": {"app.kubernetes.io/managed-by": "thebot.platform", "thebot.platform/lock": "deploy"}}
    if existing:
        metadata["resourceVersion"] = existing["metadata"]["resourceVersion"]
        transitions = int((existing.get("spec") or {}).get("leaseTransitions") or 0) + 1
    else:
        transitions = 0
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata,
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": int(duration),
                     "acquireTime": micro_time(now), "renewTime": micro_time(now), "leaseTransitions": transitions}}


def expired_body(lease):
    """The Lease as given back by a run that did not finish: same holder, already expired.

    The API wants a positive duration: one second, from a renewal one second back.
    """
    renewed = parse_time((lease.get("spec") or {}).get("acquireTime")) or now_utc()
    body = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": dict(lease["metadata"]),
            "spec": dict(lease.get("spec") or {})}
    body["spec"].update(leaseDurationSeconds=1,
                        renewTime=micro_time(min(renewed, now_utc() - datetime.timedelta(seconds=1))))
    return body
