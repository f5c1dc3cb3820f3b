"""The deploy playbook, as an operator runs it, against the test cluster.

Each test deploys into a namespace of its own (thebot_namespace) on the suite's cluster, with the
inventory's values otherwise as they are. kwok plays the kubelet: no container runs.
"""

import base64
import json
import subprocess
import uuid

import pytest
import yaml

from helpers.deploy import BIN, PROD_RELEASE, ROOT, recap, revisions, vault_secrets

pytestmark = pytest.mark.cluster


def test_dev_deploys_then_a_second_run_changes_nothing(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-4000:]
    assert recap(first)["changed"] > 0
    assert "revision 1, deployed, changed" in first.stdout
    second = deploy(namespace=first.namespace)
    assert second.returncode == 0, second.output[-4000:]
    assert recap(second)["changed"] == 0, "a second deploy must report changed=0"
    assert len(revisions(kube, first.namespace)) == 1, "and create no new helm revision"
    namespace = kube.get("namespace", first.namespace)["metadata"]["labels"]
    assert namespace["pod-security.kubernetes.io/enforce"] == "restricted"


def test_a_tag_of_the_work_under_the_lock_runs_all_of_it_and_rolls_no_pod(kube, deploy):
    """--tags release and --tags secrets each run the credentials and the release together: a release without this
    run's credentials checksum would change every pod's checksum/secret annotation and roll them for nothing. And
    the checks run first whatever the tags (before, --tags release skipped validation and helm's set-up)."""
    first = deploy()
    assert first.returncode == 0, first.output[-4000:]
    for tag in ("release", "secrets"):
        tagged = deploy("--tags", tag, namespace=first.namespace)
        assert tagged.returncode == 0, tagged.output[-4000:]
        for role in ("secrets", "release"):
            assert f"TASK [thebot.platform.{role} : " in tagged.stdout, f"--tags {tag} ran no task of {role}"
        assert recap(tagged)["changed"] == 0, f"--tags {tag}: {tagged.output[-4000:]}"
    assert len(revisions(kube, first.namespace)) == 1, "no revision rolled the pods"
    # The checks run whatever the tags: a tagged run still refuses a bad setting before any write.
    refused = deploy("--tags", "release", "-e", "thebot_helm_timeout=10", namespace=first.namespace)
    assert refused.returncode == 2, refused.output[-4000:]
    assert "thebot_helm_timeout" in refused.flat and "TASK [thebot.platform.lock : " not in refused.stdout


# --check --diff on the command line, or the variable AWX's survey sets.
@pytest.mark.parametrize("dry_run", [("--check", "--diff"), ("-e", "thebot_dry_run=true")], ids=["flags", "survey"])
def test_check_diff_shows_the_change_and_writes_nothing(kube, deploy, dry_run):
    first = deploy()
    assert first.returncode == 0, first.output[-4000:]
    dry = deploy(*dry_run, "-e", "thebot_image_tag=9.9.9", namespace=first.namespace)
    assert dry.returncode == 0, dry.output[-4000:]
    assert "thebot/backend:9.9.9" in dry.stdout, "the diff shows the new image"
    assert len(revisions(kube, first.namespace)) == 1, "check mode writes no revision"
    image = kube.get("deployment", "thebot-backend", "-n", first.namespace)["spec"]["template"]["spec"]["containers"][0]
    assert image["image"].endswith(":1.0.0")
    secret = kube.get("secret", "thebot-credentials", "-n", first.namespace)["data"]
    for key, value in secret.items():
        if key != "POSTGRES_USER":  # a user name, not a credential (and the chart's name)
            assert base64.b64decode(value).decode() not in dry.output, f"{key} in --check --diff output"


def test_no_credential_in_verbose_output_nor_in_the_release(kube, deploy):
    result = deploy("-vvv")
    assert result.returncode == 0, result.output[-4000:]
    in_cluster = {k: base64.b64decode(v).decode()
                  for k, v in kube.get("secret", "thebot-credentials", "-n", result.namespace)["data"].items()}
    secrets = {v for k, v in in_cluster.items() if k != "POSTGRES_USER"} | \
              {v for k, v in vault_secrets("dev").items() if k != "postgres_user"}
    assert len(secrets) == 5, "five from the vault (the URLs are built in the pods, never stored)"
    leaked = [s for s in secrets if s and s in result.output]
    assert not leaked, f"{len(leaked)} credential(s) printed by ansible-playbook -vvv"
    values = kube.helm("get", "values", "thebot", "-n", result.namespace, "--all", "-o", "json").stdout
    assert not [s for s in secrets if s and s in values], "credentials in the release's stored values"
    assert json.loads(values)["secrets"]["existingSecret"] == "thebot-credentials"


def test_bad_values_stop_before_any_cluster_write(kube, deploy):
    broken = {"thebot_chart_values": {"backend": {"replicaCount": "three", "replicas": 2}}}
    result = deploy("-e", json.dumps(broken))
    assert result.returncode == 2
    assert "backend.replicaCount" in result.output and "backend.replicas" in result.output, result.output[-3000:]
    assert "nothing was sent to the cluster" in result.output
    assert kube.kubectl("get", "namespace", result.namespace, check=False).returncode != 0, "nothing was created"
    assert "Traceback" not in result.output


def test_prod_refuses_the_demo_credentials(kube, deploy):
    result = deploy(*PROD_RELEASE, "-l", "prod-eu-1", env="prod")
    assert result.returncode == 2
    assert "looks like an example" in result.output and "secrets.postgres_password" in result.output
    assert kube.kubectl("get", "namespace", result.namespace, check=False).returncode != 0


def test_unreachable_cluster_ends_with_one_clear_line(deploy, tmp_path):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "gone",
        "clusters": [{"name": "gone", "cluster": {"server": "https://127.0.0.1:9", "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "gone", "context": {"cluster": "gone", "user": "u"}}]}))
    result = deploy("-e", f"thebot_kubeconfig={kubeconfig}", "-e", "thebot_context=gone")
    assert result.returncode == 2
    assert "Cannot reach the Kubernetes API of local" in result.output and "Check the host's thebot_kubeconfig" \
        in result.output, result.output[-3000:]


def test_helm_timeout_rolls_back_and_says_what_to_do(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    # Backend pods no node can take: the rollout cannot finish within the timeout.
    unschedulable = {"thebot_cluster_chart_values": {"backend": {"nodeSelector": {"nowhere": "true"}}}}
    result = deploy("-e", "thebot_helm_timeout=15s", "-e", json.dumps(unschedulable), namespace=first.namespace)
    assert result.returncode == 2
    assert (f"helm did not finish within 15s: the release was rolled back to its previous revision; see kubectl get "
            f"pods,jobs -n {first.namespace}") in " ".join(result.output.split()), result.output[-3000:]
    history = revisions(kube, first.namespace)
    assert [r["status"] for r in history] == ["superseded", "failed", "deployed"]
    assert history[-1]["description"] == "Rollback to 1"
    assert "nodeSelector" not in json.dumps(kube.get("deployment", "thebot-backend", "-n", first.namespace)["spec"])


def test_a_first_install_that_is_not_ready_in_time_is_removed_and_its_credentials_kept(kube, deploy):
    """The first install runs helm without --wait (the migration hook must run before the backend can be
    Ready), so the role waits for the workloads itself and undoes the install as --atomic would."""
    unschedulable = {"thebot_cluster_chart_values": {"backend": {"nodeSelector": {"nowhere": "true"}}}}
    result = deploy("-e", "thebot_helm_timeout=15s", "-e", json.dumps(unschedulable))
    assert result.returncode == 2
    assert (f"the first install was not ready within 15s (Deployment/thebot-backend): the first install was "
            f"removed, as --atomic does (its volumes and credentials are kept); see kubectl get pods,jobs -n "
            f"{result.namespace}") in " ".join(result.output.split()), result.output[-3000:]
    assert kube.helm("list", "-n", result.namespace, "--all", "-q").stdout.strip() == "", "no release is left"
    assert kube.get("secret", "thebot-credentials", "-n", result.namespace)["data"]["POSTGRES_PASSWORD"]
    # and the next deploy installs it, with the same credentials
    again = deploy(namespace=result.namespace)
    assert again.returncode == 0, again.output[-3000:]
    assert [r["status"] for r in revisions(kube, result.namespace)] == ["deployed"]


def test_missing_vault_password_says_what_to_pass(kube, deploy):
    result = deploy(vault=False)
    assert result.returncode == 2
    assert ("The vault of dev could not be opened (Attempting to decrypt but no vault secrets found.): run with "
            "--vault-password-file FILE or "
            "--ask-vault-pass") in " ".join(result.output.split()), result.output[-3000:]
    assert kube.kubectl("get", "namespace", result.namespace, check=False).returncode != 0, "nothing was written"


def test_wrong_context_ends_with_one_clear_line(deploy):
    result = deploy("-e", "thebot_context=no-such-context")
    assert result.returncode == 2
    assert "Cannot reach the Kubernetes API of local" in result.output
    assert "context no-such-context" in " ".join(result.output.split()), result.output[-3000:]


# prod, with an operator's own credentials, is molecule's prod scenario: its pods run, on kind.
@pytest.mark.parametrize("env,host,replicas", [("staging", "staging-eu-1", 2)])
def test_staging_deploys_with_real_looking_credentials(kube, deploy, env, host, replicas, tmp_path):
    # Not the demo vault (prod refuses it): credentials as an operator's own vault would hold them.
    strong = {key: uuid.uuid4().hex + uuid.uuid4().hex for key in
              ("secret_key", "postgres_password", "redis_password", "telegram_bot_token", "email_host_password")}
    (tmp_path / "secrets.yml").write_text(yaml.safe_dump({"thebot_secrets": {**strong, "postgres_user": "thebot"}}))
    result = deploy("-l", host, "-e", "thebot_image_tag=1.4.2", "-e", f"@{tmp_path / 'secrets.yml'}", env=env)
    assert result.returncode == 0, result.output[-4000:]
    assert not [v for v in strong.values() if v in result.output]
    for component in ("backend", "frontend", "celery"):
        ready = kube.get("deployment", f"thebot-{component}", "-n", result.namespace)["status"].get("readyReplicas")
        assert ready == replicas, f"{env} {component}: {ready} ready, {replicas} expected"
    assert len(kube.get("pdb", "-n", result.namespace)["items"]) == 3
    assert kube.get("namespace", result.namespace)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == \
        "restricted"


def test_deploy_by_fqcn_from_the_built_collection(kube, deploy, tmp_path):
    build = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", str(ROOT), "--output-path",
                            str(tmp_path)], capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    tarball = next(tmp_path.glob("thebot-platform-*.tar.gz"))
    with __import__("tarfile").open(tarball) as archive:
        names = archive.getnames()
    assert "charts/thebot/Chart.yaml" in names and "roles/release/tasks/main.yml" in names
    assert not [n for n in names if n.startswith(("tests/", "collections/", ".venv"))], "test tooling stays out"
    collections = tmp_path / "collections"
    install = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", str(tarball), "-p",
                              str(collections), "--no-deps", "--force"], capture_output=True, text=True, check=False)
    assert install.returncode == 0, install.stderr
    installed = collections / "ansible_collections" / "thebot" / "platform"
    assert (installed / "playbooks" / "deploy.yml").exists(), install.stdout
    result = deploy("-v", playbook="thebot.platform.deploy", collections=collections)
    assert result.returncode == 0, result.output[-4000:]
    # Run outside the repository with only the install on the collections path: that copy is what ran.
    assert "running playbook inside collection thebot.platform" in result.output
    assert "revision 1, deployed, changed" in result.output


def test_credentials_are_rotated_only_when_asked(kube, deploy, tmp_path):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace

    def password():
        return base64.b64decode(kube.get("secret", "thebot-credentials", "-n", ns)["data"]["REDIS_PASSWORD"]).decode()

    before = password()
    changed = {"thebot_secrets": {**vault_secrets("dev"), "redis_password": "another-" + uuid.uuid4().hex}}
    (tmp_path / "changed.yml").write_text(yaml.safe_dump(changed))
    kept = deploy("-e", f"@{tmp_path / 'changed.yml'}", namespace=ns)
    assert kept.returncode == 0, kept.output[-3000:]
    assert password() == before, "a vault change alone does not rotate a credential in the cluster"
    assert "Kept redis_password as in the cluster although the vault holds another value" in kept.flat, kept.output
    assert recap(kept)["changed"] == 0
    rotated = deploy("-e", f"@{tmp_path / 'changed.yml'}", "-e", "thebot_rotate_secrets=true", namespace=ns)
    assert rotated.returncode == 0, rotated.output[-3000:]
    assert password() == changed["thebot_secrets"]["redis_password"]
    assert len(revisions(kube, ns)) == 2, "the checksum of the credentials rolled the pods (a new revision)"
