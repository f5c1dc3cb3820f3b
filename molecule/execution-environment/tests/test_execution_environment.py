"""The execution environment's image holds what AWX needs and nothing of the test suite, and the job templates
run in it as AWX runs them: deploy, the same deploy again (nothing changes), an upgrade and a rollback, through a
bearer token only, with no credential in any job's output.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(os.environ["MOLECULE_PROJECT_DIRECTORY"])
PLUGINS = {kind: sorted(p.stem for p in (ROOT / "plugins" / folder).glob("*.py") if p.stem != "__init__")
           for kind, folder in (("module", "modules"), ("filter", "filter"), ("vars", "vars"))}


@pytest.fixture(scope="module")
def ee(ephemeral, containers):  # containers: kind only (prepare built the image on kind)
    return json.loads((ephemeral / "ee.json").read_text())


@pytest.fixture(scope="module")
def jobs(ephemeral, containers):
    return {path.stem: json.loads(path.read_text()) for path in (ephemeral / "jobs").glob("*.json")}


def in_image(ee, *command: str) -> subprocess.CompletedProcess:
    """command in a container of the image, with no network (nothing it is asked needs one)."""
    return subprocess.run(["docker", "run", "--rm", "--network=none", ee["image"]["image"], *command],
                          env=dict(os.environ, DOCKER_HOST=ee["image"]["docker_host"]), capture_output=True,
                          text=True, check=False, timeout=300)


def test_the_image_holds_the_collection_and_kubernetes_core_at_the_pinned_versions(ee):
    listed = in_image(ee, "ansible-galaxy", "collection", "list", "--format=json")
    assert listed.returncode == 0, listed.stderr
    found = {name: info["version"] for path in json.loads(listed.stdout).values() for name, info in path.items()}
    ours = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    core = next(Path(p) / "ansible_collections/kubernetes/core" for p in sys.path
                if (Path(p) / "ansible_collections/kubernetes/core/MANIFEST.json").is_file())  # the suite's pin
    pinned = json.loads((core / "MANIFEST.json").read_text())["collection_info"]["version"]
    assert found.get("thebot.platform") == ours and found.get("kubernetes.core") == pinned, found


@pytest.mark.parametrize("kind,name", [(k, n) for k, names in PLUGINS.items() for n in names])
def test_ansible_doc_documents_every_plugin_in_the_image(ee, kind, name):
    doc = in_image(ee, "ansible-doc", "-t", kind, f"thebot.platform.{name}", "--json")
    assert doc.returncode == 0, doc.stderr
    assert f"thebot.platform.{name}" in doc.stdout and '"short_description"' in doc.stdout


def test_helm_and_helm_diff_answer_at_the_versions_the_prerequisites_role_checks(ee):
    versions = yaml.safe_load((ROOT / "roles" / "prerequisites" / "defaults" / "main.yml").read_text())
    helm = in_image(ee, "helm", "version", "--template={{.Version}}")
    diff = in_image(ee, "helm", "diff", "version")
    assert helm.returncode == 0 and helm.stdout.strip() == f"v{versions['prerequisites_helm_version']}", helm
    assert diff.returncode == 0 and diff.stdout.strip() == versions["prerequisites_helm_diff_version"], diff


def test_no_test_tooling_is_inside(ee):
    listed = in_image(ee, "python3.11", "-m", "pip", "list", "--format=json")
    assert listed.returncode == 0, listed.stderr
    names = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert {"ansible-core", "ansible-runner", "kubernetes"} <= names
    assert not names & {"pytest", "molecule", "ansible-lint", "pytest-testinfra", "hypothesis", "ansible-builder",
                        "yamllint", "ansible"}, sorted(names)


def test_every_job_ran_and_the_second_deploy_changed_nothing(jobs):
    assert sorted(jobs) == ["1-deploy", "2-deploy-again", "3-deploy-1.0.1", "4-rollback"]
    for name, job in jobs.items():
        assert job["rc"] == 0, f"{name}: {job['output'][-3000:]}"
    said = {name: " ".join(job["output"].split()) for name, job in jobs.items()}
    assert "revision 1, deployed, changed" in said["1-deploy"], said["1-deploy"][-2000:]
    assert "changed=0" in said["2-deploy-again"] and "failed=0" in said["2-deploy-again"]
    assert "revision 2, deployed, changed" in said["3-deploy-1.0.1"], said["3-deploy-1.0.1"][-2000:]


def test_the_release_was_upgraded_then_rolled_back_by_the_jobs(cluster, containers):
    history = cluster.history()
    assert [r["revision"] for r in history] == [1, 2, 3], history
    assert "Rollback to 1" in history[-1]["description"]
    backend = cluster.get("deployment", "thebot-backend")
    assert backend["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":1.0.0")
    assert backend["status"].get("readyReplicas") == 1


def test_the_jobs_reached_the_cluster_by_token_alone_and_never_printed_it(ee, jobs, ephemeral):
    for name, job in jobs.items():
        assert ee["token"] not in job["output"], f"{name} printed the token"
    # No kubeconfig in the jobs' folders (AWX's private data: what the container saw besides the image).
    assert not [p for p in (ephemeral / "jobs").rglob("*") if "kubeconfig" in p.name], "only the token reaches"
    envvars = json.loads((ephemeral / "jobs" / "1-deploy" / "env" / "envvars").read_text())
    assert sorted(k for k in envvars if k.startswith("K8S_AUTH_")) == [
        "K8S_AUTH_API_KEY", "K8S_AUTH_HOST", "K8S_AUTH_SSL_CA_CERT", "K8S_AUTH_VERIFY_SSL"]
    assert not [k for k in envvars if "KUBECONFIG" in k]
