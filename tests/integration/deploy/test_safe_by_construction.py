"""One owner for each name, credential and rule; every refusal before any write (issue: safe by construction).

Each test runs the playbooks as an operator does, on the suite's cluster (kwok plays the kubelet: no
container runs, so "the URL the pods get" is the Deployment's spec, as the API server stored it). "No
write" is read from the kube-apiserver's audit log.
"""

import base64
import datetime
import json
import os
import signal
import time

import pytest
import yaml

import testbed
from helpers.deploy import PROD_RELEASE, ROOT, recap, revisions

pytestmark = pytest.mark.cluster

CREDENTIALS = {c["key"] for c in yaml.safe_load((ROOT / "charts" / "thebot" / "files" / "credentials.yaml").read_text())}


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def no_writes(cluster_name, since):
    writes = testbed.Cluster(cluster_name).writes(since)
    return "; ".join(f"{w['verb']} {w['objectRef'].get('resource')}/{w['objectRef'].get('name')} by {w['userAgent']}"
                     for w in writes)


def app_env(kube, namespace, deployment):
    spec = kube.get("deployment", deployment, "-n", namespace)["spec"]["template"]["spec"]
    return {e["name"]: e.get("value") for e in spec["containers"][0].get("env", [])}


def values(chart_values):
    return json.dumps({"thebot_cluster_chart_values": chart_values})


def test_the_chart_owns_the_endpoints_and_the_secret_holds_only_credentials(kube, deploy):
    external = {"postgresql": {"enabled": False},
                "externalDatabase": {"host": "db.example.internal", "port": 6432, "database": "bot"},
                "fullnameOverride": "chat"}
    first = deploy("-e", values(external))
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    secret = kube.get("secret", "thebot-credentials", "-n", ns)["data"]
    assert set(secret) == CREDENTIALS, "the secrets role writes the credentials and nothing derived from them"
    config = kube.get("configmap", "chat", "-n", ns)["data"]
    assert (config["DATABASE_HOST"], config["DATABASE_PORT"], config["DATABASE_NAME"]) == \
        ("db.example.internal", "6432", "bot")
    for deployment in ("chat-backend", "chat-celery", "chat-celery-beat"):
        env = app_env(kube, ns, deployment)
        assert env["DATABASE_URL"] == "postgresql://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@db.example.internal:6432/bot"
        assert env["REDIS_URL"] == "redis://:$(REDIS_PASSWORD)@chat-redis:6379/0", "fullnameOverride is honoured"
    assert not app_env(kube, ns, "chat-frontend"), "the frontend (a static web server) is given no credentials"
    assert kube.get("jobs", "-n", ns, "-l", "app.kubernetes.io/instance=thebot")["items"], "the hook jobs ran"
    # Uninstall finds the hooks' leftovers by the chart's labels: no name is derived outside the chart.
    gone = deploy(playbook="uninstall.yml", namespace=ns)
    assert gone.returncode == 0, gone.output[-3000:]
    for kind in ("jobs", "configmaps"):
        left = kube.get(kind, "-n", ns, "-l", "app.kubernetes.io/instance=thebot")["items"]
        assert not left, f"uninstall left {kind}: {[o['metadata']['name'] for o in left]}"
    assert set(kube.get("secret", "thebot-credentials", "-n", ns)["data"]) == CREDENTIALS, "credentials are kept"


def test_an_older_secret_with_urls_is_rewritten_with_credentials_only(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    stale = base64.b64encode(b"postgresql://u:p@old-host:5432/thebot").decode()
    kube.kubectl("patch", "secret", "thebot-credentials", "-n", ns, "--type", "merge", "-p",
                 json.dumps({"data": {"DATABASE_URL": stale}}))
    password = kube.get("secret", "thebot-credentials", "-n", ns)["data"]["POSTGRES_PASSWORD"]
    again = deploy(namespace=ns)
    assert again.returncode == 0, again.output[-3000:]
    secret = kube.get("secret", "thebot-credentials", "-n", ns)["data"]
    assert set(secret) == CREDENTIALS and secret["POSTGRES_PASSWORD"] == password


@pytest.mark.parametrize("env,lost", [("dev", "secret"), ("prod", "secret"), ("dev", "password")])
def test_a_lost_secret_is_never_replaced_under_its_database_volume(kube, deploy, cluster_name, env, lost, tmp_path):
    extra = []
    if env == "prod":
        keys = ("secret_key", "postgres_password", "redis_password", "telegram_bot_token", "email_host_password")
        strong = {key: os.urandom(16).hex() for key in keys}
        (tmp_path / "secrets.yml").write_text(yaml.safe_dump({"thebot_secrets": {**strong, "postgres_user": "thebot"}}))
        extra = ["-l", "prod-eu-1", *PROD_RELEASE, "-e", f"@{tmp_path / 'secrets.yml'}"]
    first = deploy(*extra, env=env)
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    if lost == "secret":
        kube.kubectl("delete", "secret", "thebot-credentials", "-n", ns)
    else:
        kube.kubectl("patch", "secret", "thebot-credentials", "-n", ns, "--type", "json",
                     "-p", '[{"op": "remove", "path": "/data/POSTGRES_PASSWORD"}]')
    since = now()
    refused = deploy(*extra, env=env, namespace=ns)
    assert refused.returncode == 2, refused.output[-3000:]
    said = "The Secret thebot-credentials is missing" if lost == "secret" else \
        "The Secret thebot-credentials in %s lacks POSTGRES_PASSWORD" % ns
    for text in (said, "data-thebot-postgresql-0", "thebot_rotate_secrets=true", "Restore the Secret"):
        assert text in refused.flat, f"{text!r} not in: {refused.output[-3000:]}"
    wrote = [w for w in testbed.Cluster(cluster_name).writes(since) if w["objectRef"].get("resource") != "leases"]
    assert not wrote, f"only the run's lock may be written: {wrote}"
    if lost == "secret":
        assert kube.kubectl("get", "secret", "thebot-credentials", "-n", ns, check=False).returncode != 0
    else:
        assert "POSTGRES_PASSWORD" not in kube.get("secret", "thebot-credentials", "-n", ns)["data"]
    assert len(revisions(kube, ns)) == 1, "no revision rolled the pods over the volume"
    # Asked for explicitly, the credentials are written.
    rotated = deploy(*extra, "-e", "thebot_rotate_secrets=true", env=env, namespace=ns)
    assert rotated.returncode == 0, rotated.output[-3000:]
    assert set(kube.get("secret", "thebot-credentials", "-n", ns)["data"]) == CREDENTIALS


def test_check_diff_of_a_first_install_an_upgrade_and_an_uninstall_writes_nothing(kube, deploy, cluster_name):
    since = now()
    fresh = deploy("--check", "--diff")
    assert fresh.returncode == 0, fresh.output[-3000:]
    assert "would create Secret thebot-credentials" in fresh.flat and recap(fresh)["changed"] >= 3, fresh.output[-3000:]
    assert kube.kubectl("get", "namespace", fresh.namespace, check=False).returncode != 0
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    since = now()
    upgrade = deploy("--check", "--diff", "-e", "thebot_image_tag=1.0.7", namespace=ns)
    assert upgrade.returncode == 0 and "thebot/backend:1.0.7" in upgrade.stdout, upgrade.output[-3000:]
    uninstall = deploy("--check", "--diff", playbook="uninstall.yml", namespace=ns)
    assert uninstall.returncode == 0, uninstall.output[-3000:]
    assert recap(uninstall)["changed"] > 0, "check mode says what the uninstall would remove"
    wrote = no_writes(cluster_name, since)
    assert not wrote, f"--check wrote: {wrote}"
    assert [r["status"] for r in revisions(kube, ns)] == ["deployed"]
    assert kube.get("jobs", "-n", ns, "-l", "app.kubernetes.io/instance=thebot")["items"], "the hook jobs are still there"


def _kubeconfig(tmp_path, kube, **changes):
    config = yaml.safe_load(kube.kubeconfig.read_text())
    user, cluster = config["users"][0]["user"], config["clusters"][0]["cluster"]
    if "token" in changes:
        user.clear()
        user["token"] = changes["token"]
    if "ca" in changes:
        cluster.pop("certificate-authority", None)
        cluster["certificate-authority-data"] = base64.b64encode(changes["ca"]).decode()
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def _other_ca():
    """A certificate authority that signed nothing of this cluster's."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "another-ca")])
    start = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.mark.parametrize("fault", ["bad-ca", "wrong-token", "revoked-token", "unknown-context", "unreachable"])
def test_an_unusable_cluster_credential_ends_in_one_line_naming_the_cause(kube, deploy, cluster_name, fault, tmp_path):
    context = f"testbed-{cluster_name}"
    if fault == "bad-ca":
        # A first run with the right CA fills kubernetes.core's discovery cache for this server.
        assert deploy("--tags", "prerequisites").returncode == 0
        kubeconfig, cause = _kubeconfig(tmp_path, kube, ca=_other_ca()), "certificate verify failed"
    elif fault == "wrong-token":
        kubeconfig, cause = _kubeconfig(tmp_path, kube, token="not-a-token"), "401 Unauthorized"
    elif fault == "revoked-token":
        ns = f"revoked-{os.urandom(3).hex()}"
        kube.kubectl("create", "namespace", ns)
        kube.kubectl("create", "serviceaccount", "ops", "-n", ns)
        token = kube.kubectl("create", "token", "ops", "-n", ns).stdout.strip()
        kube.kubectl("delete", "namespace", ns, "--wait=true")
        kubeconfig, cause = _kubeconfig(tmp_path, kube, token=token), "401 Unauthorized"
    elif fault == "unknown-context":
        kubeconfig, context, cause = kube.kubeconfig, "no-such-context", "the kubeconfig has no context 'no-such-context'"
    else:
        config = yaml.safe_load(kube.kubeconfig.read_text())
        config["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:9"
        kubeconfig, cause = tmp_path / "kubeconfig", "nothing answers at the API server's address (connection refused)"
        kubeconfig.write_text(yaml.safe_dump(config))
    since = now()
    result = deploy("-e", f"thebot_kubeconfig={kubeconfig}", "-e", f"thebot_context={context}")
    assert result.returncode == 2
    line = ([l for l in result.output.splitlines() if "[ERROR]: Task failed" in l] or [""])[-1]
    for text in ("Cannot reach the Kubernetes API of local", f"kubeconfig {kubeconfig}", f"context {context}", cause):
        assert text in line, f"{fault}: {text!r} not in the error line: {line or result.output[-3000:]}"
    assert "Value of unknown type" not in result.output and "Traceback" not in result.output
    assert not no_writes(cluster_name, since)


def test_rollback_refuses_what_is_not_a_revision_of_the_history(kube, deploy, cluster_name):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    assert deploy("-e", "thebot_image_tag=1.0.1", namespace=ns).returncode == 0
    since = now()
    for asked, says in (("abc", '"abc", not a revision number'), ("-1", '"-1", not a revision number'),
                        ("1.5", '"1.5", not a revision number'), ("7", "Revision 7 is not in the history of thebot"),
                        ("2", "Revision 2 is the current one")):
        result = deploy("-e", f"thebot_rollback_revision={asked}", playbook="rollback.yml", namespace=ns)
        assert result.returncode == 2, f"{asked}: {result.output[-3000:]}"
        assert says in result.flat and "one of the revisions helm keeps: 1 (current: 2, deployed" in result.flat, \
            result.output[-3000:]
    assert not no_writes(cluster_name, since)
    assert [r["status"] for r in revisions(kube, ns)] == ["superseded", "deployed"]


def test_status_shows_a_pending_release_its_history_and_who_holds_the_lock(kube, deploy, cluster_name):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    # An upgrade no node can finish (its backend pod fits nowhere): it holds the lock, its revision pending.
    upgrade = deploy.background("-e", "thebot_image_tag=1.0.2", "-e", values({"backend": {"nodeSelector": {"nowhere": "true"}}}),
                                "-e", "thebot_helm_timeout=300s", namespace=ns, new_session=True)
    try:
        deadline = time.monotonic() + 300  # a stuck test's bound, not a speed (the machine may be loaded)
        while [r["status"] for r in revisions(kube, ns)][-1:] != ["pending-upgrade"]:
            assert upgrade.poll() is None, upgrade.finish().output[-3000:]
            assert time.monotonic() < deadline, "the upgrade never became pending"
            time.sleep(0.5)
        since = now()
        status = deploy(playbook="status.yml", namespace=ns)
        assert status.returncode == 0, status.output[-3000:]
        # The pending upgrade's helm goes on writing meanwhile; the status run itself may write nothing.
        ours = [w for w in testbed.Cluster(cluster_name).writes(since) if not w["userAgent"].startswith("Helm/")]
        assert not ours, f"status reads only: {ours}"
    finally:
        os.killpg(upgrade.pid, signal.SIGKILL)
    flat = status.flat
    assert "revision 2, pending-upgrade" in flat, status.output[-3000:]
    assert "1 | deployed | thebot-0.1.0 | 1.0.0" in flat and "2 | pending-upgrade | thebot-0.1.0 | 1.0.0" in flat
    assert "lock thebot-deploy-lock: held by root@" in flat and f"pid {upgrade.pid} started" in flat
