"""Integration fixtures. deploy: run a playbook of the repository (or of an installed collection) as an operator does."""

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

import testbed
from helpers.deploy import BIN, ROOT, VAULT_PASSWORD
from helpers.logs import log_output


def deployer(kube, cluster_name, namespaces):
    """run(*ansible_playbook_args, ...): run a playbook against the test cluster, as an operator does."""

    def command(*args, env="dev", playbook="deploy.yml", namespace=None, vault=True, inventory=None, helm=True,
                collections=None, bin_dir=BIN):
        """inventory: another inventory, whose hosts keep their own clusters (else the suite's cluster), and
        with namespace=False their own namespaces too; bin_dir: the virtualenv whose ansible-playbook runs (else the
        suite's)."""
        per_host = inventory is not None and namespace is False
        namespace = None if per_host else namespace or f"deploy-{uuid.uuid4().hex[:6]}"
        if namespace:
            namespaces.append(namespace)
        cluster = [] if inventory else ["-e", f"thebot_kubeconfig={kube.kubeconfig}",
                                        "-e", f"thebot_context=testbed-{cluster_name}"]
        # A playbook by FQCN (thebot.platform.deploy) comes from an installed collection, run outside the repo.
        by_name = playbook.startswith("thebot.platform.")
        argv = [str(bin_dir / "ansible-playbook"), playbook if by_name else str(ROOT / playbook),
                "-i", str(inventory or ROOT / "inventories" / env), *cluster,
                *([] if per_host else ["-e", f"thebot_namespace={namespace}"]),
                *(["-e", f"prerequisites_helm_binary={testbed.binary('helm')}",
                   "-e", f"prerequisites_helm_plugins_dir={testbed.HOME / 'helm-plugins'}"] if helm else []),
                *args]
        if vault:
            argv += ["--vault-password-file", str(VAULT_PASSWORD)]
        environment = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}", ANSIBLE_NOCOLOR="1",
                           ANSIBLE_FORCE_COLOR="0", ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
        environment.pop("ANSIBLE_COLLECTIONS_PATH", None)  # the repository's ansible.cfg says where it is
        if collections:
            (Path(collections) / "ansible.cfg").write_text("[defaults]\n")  # none of the repository's settings
            environment.update(ANSIBLE_COLLECTIONS_PATH=str(collections),
                               ANSIBLE_CONFIG=str(Path(collections) / "ansible.cfg"))
        return argv, dict(cwd=collections or ROOT, env=environment), namespace

    def finished(result, namespace):
        result.namespace = namespace
        result.output = result.stdout + result.stderr
        # Messages as one line each: the YAML result format wraps long strings and doubles quotes.
        result.flat = " ".join(result.output.replace("''", "'").split())
        log_output(f"ansible-playbook {' '.join(result.args[1:2])} {namespace}", result.output)
        return result

    def run(*args, **kw):
        argv, options, namespace = command(*args, **kw)
        return finished(subprocess.run(argv, capture_output=True, text=True, check=False, **options), namespace)

    def background(*args, new_session=False, **kw):
        """Start a run; .finish() waits for it and returns what run() returns; .pid is its ansible-playbook;
        .so_far() is what it has printed until now (a test waits for a task's banner so). new_session: in a process
        group of its own (its helm included), for a test that kills it."""
        argv, options, namespace = command(*args, **kw)
        # Files of its own, opened for appending (a read of what is there so far moves no offset the run writes at).
        folder = Path(tempfile.mkdtemp(prefix="thebot-run-"))
        stdout, stderr = folder / "stdout", folder / "stderr"
        with stdout.open("a") as out, stderr.open("a") as err:
            process = subprocess.Popen(argv, stdout=out, stderr=err, text=True, start_new_session=new_session,
                                       **options)

        def read(path):
            return path.read_text(errors="replace")

        class Running:  # pylint: disable=too-few-public-methods
            pid = process.pid
            poll = process.poll

            @staticmethod
            def so_far():
                return read(stdout)

            @staticmethod
            def finish():
                process.wait(timeout=900)
                result = subprocess.CompletedProcess(argv, process.returncode, read(stdout), read(stderr))
                shutil.rmtree(folder, ignore_errors=True)
                return finished(result, namespace)
        return Running()

    run.background = background
    return run


def _cleanup(kube, namespaces):
    for namespace in namespaces:
        kube.kubectl("delete", "namespace", namespace, "--wait=false", "--ignore-not-found", check=False)


@pytest.fixture
def deploy(kube, cluster_name):
    """deployer() for one test; its namespaces are deleted afterwards."""
    namespaces = []
    yield deployer(kube, cluster_name, namespaces)
    _cleanup(kube, namespaces)


@pytest.fixture(scope="module")
def module_deploy(kube, cluster_name):
    """deployer() shared by a module's tests (one release they all look at)."""
    namespaces = []
    yield deployer(kube, cluster_name, namespaces)
    _cleanup(kube, namespaces)
