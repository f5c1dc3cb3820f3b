"""The deploy fixture: run a playbook of the repository (or of an installed collection) as an operator does."""

import os
import subprocess
import uuid
from pathlib import Path

import pytest

import testbed
from helpers.deploy import BIN, ROOT, VAULT_PASSWORD


@pytest.fixture
def deploy(kube, cluster_name):
    """Run a playbook against the test cluster; remember the namespaces to clean them up."""
    namespaces = []

    def run(*args, env="dev", playbook="deploy.yml", namespace=None, vault=True, inventory=None, helm=True,
            collections=None, bin_dir=BIN):
        """inventory: another inventory, whose hosts keep their own clusters (else the suite's cluster);
        bin_dir: the virtualenv whose ansible-playbook runs (else the suite's)."""
        namespace = namespace or f"deploy-{uuid.uuid4().hex[:6]}"
        namespaces.append(namespace)
        cluster = [] if inventory else ["-e", f"thebot_kubeconfig={kube.kubeconfig}",
                                        "-e", f"thebot_context=testbed-{cluster_name}"]
        # A playbook by FQCN (thebot.platform.deploy) comes from an installed collection, run outside the repo.
        by_name = playbook.startswith("thebot.platform.")
        command = [str(bin_dir / "ansible-playbook"), playbook if by_name else str(ROOT / playbook),
                   "-i", str(inventory or ROOT / "inventories" / env), *cluster, "-e", f"thebot_namespace={namespace}",
                   *(["-e", f"prerequisites_helm_binary={testbed.binary('helm')}",
                      "-e", f"prerequisites_helm_plugins_dir={testbed.HOME / 'helm-plugins'}"] if helm else []),
                   *args]
        if vault:
            command += ["--vault-password-file", str(VAULT_PASSWORD)]
        environment = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", ANSIBLE_NOCOLOR="1",
                           ANSIBLE_FORCE_COLOR="0", ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
        environment.pop("ANSIBLE_COLLECTIONS_PATH", None)  # the repository's ansible.cfg says where it is
        if collections:
            (Path(collections) / "ansible.cfg").write_text("[defaults]\n")  # none of the repository's settings
            environment.update(ANSIBLE_COLLECTIONS_PATH=str(collections),
                               ANSIBLE_CONFIG=str(Path(collections) / "ansible.cfg"))
        result = subprocess.run(command, capture_output=True, text=True, cwd=collections or ROOT, env=environment,
                                check=False)
        result.namespace = namespace
        result.output = result.stdout + result.stderr
        # Messages as one line each: the YAML result format wraps long strings and doubles quotes.
        result.flat = " ".join(result.output.replace("''", "'").split())
        return result

    yield run
    for namespace in namespaces:
        kube.kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)
