import datetime
import json
import os

from ansible_collections.thebot.platform.plugins.module_utils.lease_lock import (
    assess, controller_process, expired_body, helm_writers, holder_identity, kubeconfig_server, lease_body, micro_time,
    parse_holder, process_alive)

NOW = datetime.datetime(2026, 11, 24, 12, 0, 0, tzinfo=datetime.timezone.utc)


def lease(holder, renewed, duration=60, version="7"):
    return {"metadata": {"name": "thebot-deploy-lock", "resourceVersion": version},
            "spec": {"holderIdentity": holder, "acquireTime": renewed, "renewTime": renewed,
                     "leaseDurationSeconds": duration, "leaseTransitions": 2}}


def test_no_lease_or_no_holder_is_free():
    assert assess(None, NOW) == ("free", {})
    assert assess(lease("", "2026-11-24T11:59:59.000000Z"), NOW)[0] == "free"


def test_a_lease_within_its_duration_is_held_and_says_until_when():
    state, facts = assess(lease("ops@ci 1a2b", "2026-11-24T11:59:30.000000Z"), NOW)
    assert state == "held" and facts["holder"] == "ops@ci 1a2b"
    assert facts["expires"] == "2026-11-24T12:00:30.000000Z"


def test_a_lease_past_its_duration_has_expired():
    assert assess(lease("ops@ci 1a2b", "2026-11-24T11:58:59.000000Z"), NOW)[0] == "expired"
    # A held lease that nobody can date is not trusted to be alive.
    assert assess(lease("ops@ci 1a2b", "yesterday"), NOW)[0] == "expired"


def test_taking_an_existing_lease_keeps_its_resource_version():
    body = lease_body("thebot-deploy-lock", "thebot-dev", "me", 900, NOW, lease("", "x"))
    assert body["metadata"]["resourceVersion"] == "7", "the replace conflicts if another run took it first"
    assert body["spec"]["leaseTransitions"] == 3
    assert body["spec"]["renewTime"] == micro_time(NOW) == "2026-11-24T12:00:00.000000Z"
    fresh = lease_body("thebot-deploy-lock", "thebot-dev", "me", 900, NOW)
    assert "resourceVersion" not in fresh["metadata"] and fresh["spec"]["leaseTransitions"] == 0


def test_a_lease_given_back_interrupted_has_expired_with_its_holder():
    held = lease("ops@ci 1a2b", micro_time(datetime.datetime.now(datetime.timezone.utc)), duration=900)
    assert assess(held, datetime.datetime.now(datetime.timezone.utc))[0] == "held"
    given_back = expired_body(held)
    state, facts = assess(given_back, datetime.datetime.now(datetime.timezone.utc))
    assert state == "expired" and facts["holder"] == "ops@ci 1a2b"
    assert given_back["metadata"]["resourceVersion"] == "7", "replaced only if nobody changed it since"


def fake_process(proc, pid, parent, started, *argv, state="S"):
    """A /proc/PID as Linux writes it: stat (comm in parentheses, may hold spaces) and a NUL-separated cmdline."""
    folder = proc / str(pid)
    folder.mkdir(parents=True)
    rest = [state, str(parent)] + ["0"] * 17 + [str(started)] + ["0"] * 10
    (folder / "stat").write_text("%d (python3 (x)) %s\n" % (pid, " ".join(rest)))
    (folder / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")


def test_a_holder_names_its_run_and_is_read_back():
    holder = holder_identity("ops", "ci-1", 4242, 98765, "1a2b3c4d")
    assert holder == "ops@ci-1 pid 4242 started 98765 1a2b3c4d"
    assert parse_holder(holder) == {"user": "ops", "host": "ci-1", "pid": 4242, "started": 98765, "run": "1a2b3c4d"}
    assert parse_holder("ops@ci 1a2b") is None, "an older or foreign holder proves nothing"


def test_a_held_lease_whose_run_is_gone_counts_as_expired_and_says_why():
    held = lease(holder_identity("ops", "ci-1", 4242, 98765, "1a2b"), "2026-11-24T11:59:30.000000Z", duration=900)
    assert assess(held, NOW, holder_gone=lambda holder: False)[0] == "held"
    state, facts = assess(held, NOW, holder_gone=lambda holder: holder["pid"] == 4242)
    assert state == "expired" and facts["why"] == "its run (PID 4242 on ci-1) is gone"
    foreign = lease("someone else", "2026-11-24T11:59:30.000000Z", duration=900)
    assert assess(foreign, NOW, holder_gone=lambda holder: True)[0] == "held", "an unparsable holder is never gone"


def test_the_operators_bound_takes_over_an_older_lease_only():
    held = lease("ops@other 1a2b", "2026-11-24T11:59:00.000000Z", duration=900)
    assert assess(held, NOW, takeover_after=120)[0] == "held"
    state, facts = assess(held, NOW, takeover_after=60)
    assert state == "expired" and "more than 60 s ago" in facts["why"]
    assert assess(held, NOW, takeover_after=0)[0] == "expired"


def test_the_run_is_the_outermost_ansible_playbook_above_the_module(tmp_path):
    fake_process(tmp_path, 100, 1, 5000, "/usr/bin/python3", "/venv/bin/ansible-playbook", "deploy.yml")
    fake_process(tmp_path, 200, 100, 5100, "/usr/bin/python3", "/venv/bin/ansible-playbook", "deploy.yml")  # worker
    fake_process(tmp_path, 300, 200, 5200, "/bin/sh", "-c", "python3 AnsiballZ_release_lock.py")
    fake_process(tmp_path, 400, 300, 5300, "/usr/bin/python3", "AnsiballZ_release_lock.py")
    assert controller_process(400, str(tmp_path)) == (100, 5000)
    assert process_alive(100, 5000, str(tmp_path)) and not process_alive(100, 4999, str(tmp_path)), "a reused PID"
    assert not process_alive(999, 5000, str(tmp_path))
    fake_process(tmp_path, 700, 1, 7000, "/usr/bin/python3", "/venv/bin/ansible-playbook", state="Z")
    assert not process_alive(700, 7000, str(tmp_path)), "a killed run not yet reaped (a zombie) is gone"
    fake_process(tmp_path, 500, 1, 6000, "/usr/bin/python3", "-m", "something")
    fake_process(tmp_path, 600, 500, 6100, "/usr/bin/python3", "AnsiballZ_release_lock.py")
    assert controller_process(600, str(tmp_path)) == (500, 6000), "no ansible-playbook: the module's parent"


def test_helm_writing_the_release_is_found_and_nothing_else(tmp_path):
    fake_process(tmp_path, 10, 1, 1, "/cache/bin/helm", "upgrade", "-i", "--reset-values", "thebot", "/charts/thebot",
                 "--namespace=thebot-prod", "--wait")
    fake_process(tmp_path, 11, 1, 1, "/cache/bin/helm", "rollback", "thebot", "3", "--namespace", "thebot-prod")
    fake_process(tmp_path, 12, 1, 1, "/cache/bin/helm", "upgrade", "thebot", "/charts/thebot", "-n", "thebot-dev")
    fake_process(tmp_path, 13, 1, 1, "/cache/bin/helm", "diff", "upgrade", "thebot", "-n", "thebot-prod")
    fake_process(tmp_path, 14, 1, 1, "/cache/bin/helm", "upgrade", "other", "/charts/thebot", "-n", "thebot-prod")
    fake_process(tmp_path, 15, 1, 1, "/usr/bin/vim", "upgrade", "thebot", "-n", "thebot-prod")
    # kubernetes.core.helm gives the namespace in the environment, not on the command line.
    fake_process(tmp_path, 16, 1, 1, "/cache/bin/helm", "upgrade", "-i", "--reset-values", "thebot", "/charts/thebot")
    (tmp_path / "16" / "environ").write_bytes(b"PATH=/usr/bin\0HELM_NAMESPACE=thebot-prod\0")
    fake_process(tmp_path, 17, 1, 1, "/cache/bin/helm", "upgrade", "-i", "thebot", "/charts/thebot")
    (tmp_path / "17" / "environ").write_bytes(b"HELM_NAMESPACE=thebot-dev\0")
    (tmp_path / "self").mkdir()
    assert helm_writers("thebot", "thebot-prod", str(tmp_path)) == [(10, "upgrade"), (11, "rollback"), (16, "upgrade")]


def test_the_real_proc_is_read_as_the_fake_one_is():
    """Field 22 of /proc/PID/stat is the start time: a running process is alive, a wrong start time is not."""
    with open("/proc/self/stat") as handle:
        started = int(handle.read().rsplit(")", 1)[1].split()[19])
    # /proc/self is the reading process: here, this one.
    assert process_alive(os.getpid(), started) and not process_alive(os.getpid(), started + 1)
    assert controller_process(os.getpid())[0] == os.getppid(), "pytest runs under no ansible-playbook"


def kubeconfig(path, *clusters, current=None):
    """A kubeconfig file whose contexts are named after their clusters."""
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": current or clusters[0][0],
        "clusters": [{"name": name, "cluster": {"server": server}} for name, server in clusters],
        "contexts": [{"name": name, "context": {"cluster": name, "user": "u"}} for name, _server in clusters],
        "users": [{"name": "u", "user": {}}]}))
    return str(path)


def test_a_helm_on_another_cluster_is_not_a_writer_of_this_clusters_release(tmp_path):
    """One play deploys release thebot in thebot-prod to two clusters at once: the EU cluster's lock is not kept
    by the US cluster's helm, but is by a helm on the EU cluster, or by one whose cluster cannot be told."""
    both = kubeconfig(tmp_path / "prod.yaml", ("eu", "https://eu:6443"), ("us", "https://us:6443/"))
    proc = tmp_path / "proc"
    proc.mkdir()
    fake_process(proc, 20, 1, 1, "/cache/bin/helm", "upgrade", "thebot", "/charts/thebot", "-n", "thebot-prod")
    (proc / "20" / "environ").write_bytes(f"KUBECONFIG={both}\0HELM_KUBECONTEXT=us\0".encode())
    fake_process(proc, 21, 1, 1, "/cache/bin/helm", "upgrade", "thebot", "/charts/thebot", "-n", "thebot-prod",
                 "--kube-context=eu", "--kubeconfig", both)
    fake_process(proc, 22, 1, 1, "/cache/bin/helm", "rollback", "thebot", "1", "-n", "thebot-prod")
    (proc / "22" / "environ").write_bytes(b"HELM_KUBEAPISERVER=https://US:6443\0")
    fake_process(proc, 23, 1, 1, "/cache/bin/helm", "upgrade", "thebot", "/charts/thebot", "-n", "thebot-prod")
    (proc / "23" / "environ").write_bytes(f"KUBECONFIG={tmp_path / 'gone.yaml'}\0".encode())
    (proc / "self").mkdir()
    assert helm_writers("thebot", "thebot-prod", str(proc), server="https://eu:6443") == [(21, "upgrade"),
                                                                                          (23, "upgrade")]
    assert helm_writers("thebot", "thebot-prod", str(proc), server="https://us:6443") == [(20, "upgrade"),
                                                                                          (22, "rollback"),
                                                                                          (23, "upgrade")]
    assert [pid for pid, _c in helm_writers("thebot", "thebot-prod", str(proc))] == [20, 21, 22, 23]


def test_the_server_of_a_kubeconfig_and_context(tmp_path):
    path = kubeconfig(tmp_path / "k.yaml", ("a", "https://a"), ("b", "https://b"), current="b")
    assert kubeconfig_server(path) == "https://b" and kubeconfig_server(path, "a") == "https://a"
    assert kubeconfig_server(path, "nope") is None and kubeconfig_server(str(tmp_path / "missing")) is None
    assert kubeconfig_server(f"{path}:{tmp_path / 'other'}", "a") == "https://a"
