"""checkov's Kubernetes policies over every environment's render, as a release deploys it: every failure is one
tests/chart/checkov-accepted.yml accepts for that component and environment, with its reason.

kube-linter, which the chart issue names, is served by no registry reachable from these machines
(its Go module host is not on the proxy's allowlist); checkov, from PyPI, stands in for it.
"""

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from helpers.accepted import Accepted
from helpers.chart import ENVIRONMENTS, ROOT, release_values, render

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
CONFIG = ROOT / "tests" / "tools" / "checkov" / "config.yaml"
ACCEPTED = Accepted(Path(__file__).parent / "checkov-accepted.yml")


def checkov(directory: Path) -> dict:
    assert CHECKOV.exists(), "run 'make test' (it installs checkov into .venv-checkov)"
    result = subprocess.run([str(CHECKOV), "--config-file", str(CONFIG), "-d", str(directory), "-o", "json"],
                            capture_output=True, text=True, check=False)
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def _write(directory: Path, name: str, objects) -> None:
    (directory / f"{name}.yaml").write_text(yaml.safe_dump_all(list(objects)))


@pytest.fixture(scope="module")
def renders():
    return {env: render(release_values(env)) for env in ENVIRONMENTS}


@pytest.fixture(scope="module")
def report(renders, tmp_path_factory):
    directory = tmp_path_factory.mktemp("renders")
    for env, objects in renders.items():
        _write(directory, env, objects)
    return checkov(directory)


@pytest.fixture(scope="module")
def failures(report, renders):
    """env -> {(check id, component, resource)} of every failed check."""
    components = {(env, f"{o['kind']}.{o['metadata'].get('namespace', 'default')}.{o['metadata']['name']}"):
                  o["metadata"]["labels"].get("app.kubernetes.io/component", "")
                  for env, objects in renders.items() for o in objects}
    found = {env: set() for env in ENVIRONMENTS}
    for failed in report["results"]["failed_checks"]:
        env = Path(failed["file_path"]).stem
        found[env].add((failed["check_id"], components[(env, failed["resource"])], failed["resource"]))
    return found


def test_every_failure_is_accepted_for_its_component_and_environment(report, failures):
    unaccepted = ACCEPTED.unaccepted(failures)
    assert not unaccepted, "\n".join(f"{env}: {found[0]} on {found[2]}" for env, found in unaccepted)
    assert report["summary"]["passed"] > 1000 and report["summary"]["skipped"] == 0, report["summary"]


def test_every_acceptance_has_a_reason_and_still_matches_a_failure(failures):
    assert not ACCEPTED.problems()
    stale = ACCEPTED.stale(failures)
    assert not stale, f"accepted but no longer failing, remove from checkov-accepted.yml: {stale}"


def test_the_prod_render_runs_every_image_by_digest(renders, failures):
    """prod's inventory requires digests: its render names every image by one, so checkov's digest check passes."""
    for _obj, pod in renders["prod"].pod_templates():
        for container in pod.get("initContainers", []) + pod["containers"]:
            assert "@sha256:" in container["image"] and container["imagePullPolicy"] == "IfNotPresent", container
    assert not {f for f in failures["prod"] if f[0] == "CKV_K8S_43"}
    assert {f[1] for f in failures["dev"] if f[0] == "CKV_K8S_43"}, "by tag, dev fails the digest check"


def test_a_weakened_container_is_caught(tmp_path):
    deployment = render().get("Deployment", "backend")
    context = deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]
    context.update(allowPrivilegeEscalation=True, readOnlyRootFilesystem=False, capabilities={"add": ["SYS_ADMIN"]})
    _write(tmp_path, "weak", [deployment])
    failed = {c["check_id"] for c in checkov(tmp_path)["results"]["failed_checks"]}
    assert {"CKV_K8S_20", "CKV_K8S_22", "CKV_K8S_39"} <= failed, failed
