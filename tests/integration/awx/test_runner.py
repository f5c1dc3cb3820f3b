"""The deploy job template, run as AWX runs it: ansible-runner, the project, the survey's answers.

The cluster is reached only through the K8S_AUTH_* variables that AWX's "OpenShift or Kubernetes API
Bearer Token" credential injects, here from a ServiceAccount token of the test bed; there is no
kubeconfig anywhere (a fresh HOME, no KUBECONFIG). The vault password is answered at its prompt, as
AWX answers it for a Vault credential. Not the execution environment's image (none is built here):
its helm is played by the test bed's, at the paths the job template's extra_vars name.
"""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

import testbed

pytestmark = pytest.mark.cluster

ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent


@pytest.fixture
def bearer_token(kube):
    """A ServiceAccount allowed to deploy (namespaces, RBAC-free otherwise: cluster-admin for the test)."""
    name = f"awx-{uuid.uuid4().hex[:6]}"
    kube.kubectl("create", "serviceaccount", name, "-n", "default")
    kube.kubectl("create", "clusterrolebinding", name, "--clusterrole=cluster-admin", f"--serviceaccount=default:{name}")
    yield kube.kubectl("create", "token", name, "-n", "default", "--duration=1h").stdout.strip()
    kube.kubectl("delete", "clusterrolebinding", name, "--ignore-not-found", check=False)
    kube.kubectl("delete", "serviceaccount", name, "-n", "default", "--ignore-not-found", check=False)


def run_job(kube, bearer_token, tmp_path, template_name, answers, namespace):
    """One job of the template, as AWX runs it: a private data folder, the survey's answers over the template's
    extra_vars, the credential's K8S_AUTH_* variables, the vault answered at its prompt, a fresh HOME."""
    template = next(t for t in yaml.safe_load((ROOT / "awx" / "controller.yml").read_text())["controller_templates"]
                    if t["name"] == template_name)
    cluster = yaml.safe_load(kube.kubeconfig.read_text())["clusters"][0]["cluster"]
    private = tmp_path / f"runner-{uuid.uuid4().hex[:6]}"
    (private / "env").mkdir(parents=True)
    (private / "project").symlink_to(ROOT)  # AWX's checkout of the project
    survey = {q["variable"]: q.get("default") for q in template["survey_spec"]["spec"]}
    survey.update(thebot_target="dev", **answers)
    extra_vars = {**template["extra_vars"], "prerequisites_helm_binary": testbed.binary("helm"),
                  "prerequisites_helm_plugins_dir": str(testbed.HOME / "helm-plugins"),
                  **survey, "thebot_namespace": namespace}
    (private / "env" / "extravars").write_text(json.dumps(extra_vars))
    (private / "env" / "envvars").write_text(json.dumps({
        "K8S_AUTH_HOST": cluster["server"], "K8S_AUTH_API_KEY": bearer_token,
        "K8S_AUTH_SSL_CA_CERT": cluster["certificate-authority"], "K8S_AUTH_VERIFY_SSL": "True"}))
    (private / "env" / "passwords").write_text(json.dumps(
        {r"^Vault password:\s*?$": (ROOT / "inventories" / "demo-vault-password.txt").read_text().strip()}))
    (private / "env" / "cmdline").write_text("--ask-vault-pass")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    environment = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    run = subprocess.run([str(BIN / "ansible-runner"), "run", str(private), "-p", template["playbook"],
                          "--inventory", str(ROOT / "inventories" / "dev" / "hosts.yml")],
                         capture_output=True, text=True, env=environment, check=False, timeout=900)
    return run, run.stdout + run.stderr, home


def test_deploy_job_template_through_ansible_runner_with_a_bearer_token_only(kube, bearer_token, tmp_path):
    namespace = f"awx-{uuid.uuid4().hex[:6]}"
    run, output, home = run_job(kube, bearer_token, tmp_path, "THE_BOT deploy",
                                {"thebot_image_tag": "1.0.0", "thebot_dry_run": "false"}, namespace)
    try:
        assert run.returncode == 0, output[-4000:]
        assert "revision 1, deployed, changed" in " ".join(output.split()), output[-3000:]
        assert bearer_token not in output, "the token is never printed"
        # The inventory's kubeconfig (dev's host var, under this HOME) does not exist, nor does any other:
        # only the token can have reached the cluster. (~/.kube/cache is helm's discovery cache.)
        assert not list(home.rglob("*kubeconfig*")) and not (home / ".kube" / "config").exists()
        deployment = kube.get("deployment", "thebot-backend", "-n", namespace)
        assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.0")
        assert deployment["status"].get("readyReplicas") == 1
    finally:
        kube.kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)


def test_rollback_job_template_through_ansible_runner_with_a_bearer_token_only(kube, bearer_token, tmp_path):
    """helm rollback runs outside kubernetes.core (thebot.platform.helm_rollback): it too must reach the cluster by
    the token alone, although the inventory names a kubeconfig and a context (an execution environment's job found it
    using them, 2026-11-29: 'context "testbed-thebot" does not exist')."""
    namespace = f"awx-{uuid.uuid4().hex[:6]}"
    try:
        for tag in ("1.0.0", "1.0.1"):
            run, output, _home = run_job(kube, bearer_token, tmp_path, "THE_BOT deploy",
                                         {"thebot_image_tag": tag, "thebot_dry_run": "false"}, namespace)
            assert run.returncode == 0, output[-3000:]
        run, output, _home = run_job(kube, bearer_token, tmp_path, "THE_BOT rollback",
                                     {"thebot_rollback_revision": 0}, namespace)
        assert run.returncode == 0, output[-4000:]
        assert bearer_token not in output, "the token is never printed"
        history = json.loads(kube.helm("history", "thebot", "-n", namespace, "-o", "json").stdout)
        assert [r["revision"] for r in history] == [1, 2, 3] and "Rollback to 1" in history[-1]["description"]
        deployment = kube.get("deployment", "thebot-backend", "-n", namespace)
        assert deployment["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.0")
    finally:
        kube.kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)
