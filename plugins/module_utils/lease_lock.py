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
import os
import re

try:
    import yaml
except ImportError:  # ansible-core depends on PyYAML; without it no cluster is told apart (see helm_writers)
    yaml = None

_MICRO = "%Y-%m-%dT%H:%M:%S.%fZ"
# Who holds the lock: user@host, the PID and start time (clock ticks since boot) of the ansible-playbook
# process of the run, and a random run id. With PID and start time, a run on the same host can prove that
# the holder is gone (PIDs are reused; a PID with another start time is another process).
_HOLDER = re.compile(r"^(?P<user>[^@\s]+)@(?P<host>\S+) pid (?P<pid>[0-9]+) started (?P<started>[0-9]+) (?P<run>\S+)$")
# helm subcommands that write a release (diff, status, history... only read it).
HELM_WRITES = ("install", "upgrade", "rollback", "uninstall", "delete")


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


def holder_identity(user, host, pid, started, run):
    return "%s@%s pid %d started %d %s" % (user, host, pid, started, run)


def parse_holder(holder):
    """{user, host, pid, started, run} of a holder this collection wrote; None for any other."""
    match = _HOLDER.match(holder or "")
    if not match:
        return None
    facts = match.groupdict()
    facts.update(pid=int(facts["pid"]), started=int(facts["started"]))
    return facts


def assess(lease, now, takeover_after=None, holder_gone=None):
    """('free'|'held'|'expired', facts) of a Lease (its API dict; None when it does not exist).

    A held lease counts as expired (facts["why"] says why) when holder_gone(parsed holder) proves its run
    dead, or when it was taken more than takeover_after seconds ago (the operator's bound for this run).
    """
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
    if expires <= now:
        facts["why"] = "its duration ran out at %s" % facts["expires"]
        return "expired", facts
    parsed = parse_holder(holder)
    if parsed and holder_gone and holder_gone(parsed):
        facts["why"] = "its run (PID %d on %s) is gone" % (parsed["pid"], parsed["host"])
        return "expired", facts
    if takeover_after is not None and renewed + datetime.timedelta(seconds=takeover_after) <= now:
        facts["why"] = "it was taken more than %d s ago (the takeover bound of this run)" % takeover_after
        return "expired", facts
    return "held", facts


# ------------------------------------------------------------------------ processes on this host
# Linux's /proc: the lock runs where ansible-playbook runs (connection: local), so the holder's process,
# when it ran on this host, can be looked at.

def _stat(pid, proc="/proc"):
    """(parent PID, start time) of a process; None when there is none, or only its zombie (dead, not yet
    reaped by its parent: a killed ansible-playbook whose parent has not waited for it yet)."""
    try:
        with open(os.path.join(proc, str(pid), "stat")) as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[1]), int(fields[19])


def _nul_separated(pid, name, proc):
    try:
        with open(os.path.join(proc, str(pid), name), "rb") as handle:
            return [part.decode("utf-8", "replace") for part in handle.read().split(b"\0") if part]
    except OSError:
        return []


def _argv(pid, proc="/proc"):
    return _nul_separated(pid, "cmdline", proc)


def _environ(pid, proc="/proc"):
    """A process's environment (kubernetes.core.helm gives helm its namespace and cluster so, not on argv)."""
    return dict(entry.split("=", 1) for entry in _nul_separated(pid, "environ", proc) if "=" in entry)


def _flags(argv, *names):
    """The values of a command line's options called any of names: `--name value` or `--name=value`."""
    found = []
    for index, arg in enumerate(argv):
        if arg in names and index + 1 < len(argv):
            found.append(argv[index + 1])
        found += [arg.split("=", 1)[1] for name in names if arg.startswith(name + "=")]
    return found


def process_alive(pid, started, proc="/proc"):
    """The process PID exists and is the one that started at `started` (not a reused PID)."""
    stat = _stat(pid, proc)
    return stat is not None and stat[1] == started


def controller_process(pid, proc="/proc"):
    """(PID, start time) of the outermost ansible-playbook among pid's ancestors (the run itself; the
    module and the task's worker are its children); the parent of pid when none is found."""
    found = None
    current = _stat(pid, proc)
    parent = current[0] if current else 0
    first = (parent, (_stat(parent, proc) or (0, 0))[1])
    while parent > 1:
        argv = _argv(parent, proc)
        stat = _stat(parent, proc)
        if stat is None:
            break
        if any(os.path.basename(arg) == "ansible-playbook" for arg in argv[:2]):
            found = (parent, stat[1])
        parent = stat[0]
    return found or first


def kubeconfig_server(kubeconfig, context=None):
    """The API server a kubeconfig (a path, the first of a KUBECONFIG list, or its content) reaches with context
    (its current context when None); None when that cannot be told."""
    config = kubeconfig if isinstance(kubeconfig, dict) else None
    if isinstance(kubeconfig, str) and kubeconfig and yaml is not None:
        try:
            with open(os.path.expanduser(kubeconfig.split(os.pathsep)[0])) as handle:
                config = yaml.safe_load(handle)
        except (OSError, yaml.YAMLError):
            return None
    if not isinstance(config, dict):
        return None
    context = context or config.get("current-context")
    named = next((c.get("context") or {} for c in config.get("contexts") or [] if c.get("name") == context), {})
    cluster = next((c.get("cluster") or {} for c in config.get("clusters") or [] if c.get("name") == named.get("cluster")),
                   {})
    return cluster.get("server") or None


def helm_server(pid, proc="/proc"):
    """The API server a helm process talks to: its flags, else its environment (helm's HELM_KUBE* and KUBECONFIG,
    else $HOME/.kube/config); None when that cannot be told."""
    argv, env = _argv(pid, proc), _environ(pid, proc)

    def flag(name):
        return next(iter(_flags(argv, name)), None)

    server = flag("--kube-apiserver") or env.get("HELM_KUBEAPISERVER")
    if server:
        return server
    kubeconfig = flag("--kubeconfig") or env.get("KUBECONFIG") or (
        os.path.join(env["HOME"], ".kube", "config") if env.get("HOME") else None)
    return kubeconfig_server(kubeconfig, flag("--kube-context") or env.get("HELM_KUBECONTEXT")) if kubeconfig else None


def _same_server(one, other):
    return one.rstrip("/").lower() == other.rstrip("/").lower()


def helm_writers(release, namespace, proc="/proc", server=None):
    """PIDs and subcommands of helm processes on this host writing release in namespace; with server (the
    cluster of this lock), only those on that cluster or whose cluster cannot be told: one play deploys one
    release name and namespace to many clusters at once, and another cluster's helm is not this one's writer."""
    found = []
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        argv = _argv(entry, proc)
        if len(argv) < 3 or os.path.basename(argv[0]) != "helm" or argv[1] not in HELM_WRITES:
            continue
        namespaces = set(_flags(argv, "-n", "--namespace")) or {_environ(entry, proc).get("HELM_NAMESPACE")}
        if release in argv[2:] and namespace in namespaces:
            theirs = helm_server(entry, proc) if server else None
            if theirs and not _same_server(theirs, server):
                continue
            found.append((int(entry), argv[1]))
    return sorted(found)


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
