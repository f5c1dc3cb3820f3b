"""kubectl and helm bound to a test cluster, and a test cluster's lifetime."""

import json
import os
import subprocess
import sys
from pathlib import Path

import testbed
from helpers.logs import log_output

ROOT = Path(__file__).resolve().parents[2]


class Kube:
    """kubectl and helm bound to one cluster's kubeconfig; each call returns the CompletedProcess."""

    def __init__(self, kubeconfig: Path):
        self.kubeconfig = kubeconfig
        self.env = dict(os.environ, KUBECONFIG=str(kubeconfig), HELM_PLUGINS=str(testbed.HOME / "helm-plugins"),
                        PATH=f"{testbed.HOME / 'bin'}:{os.environ['PATH']}")

    def run(self, *args, stdin=None, check=True):
        result = subprocess.run(list(args), input=stdin, capture_output=True, text=True, env=self.env, check=False)
        if check and result.returncode:
            raise AssertionError(f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def kubectl(self, *args, **kw):
        return self.run(testbed.binary("kubectl"), *args, **kw)

    def helm(self, *args, **kw):
        result = self.run(testbed.binary("helm"), *args, **kw)
        log_output("helm " + " ".join(args[:2]), result.stdout + result.stderr)  # scanned for secrets
        return result

    def get(self, *args):
        return json.loads(self.kubectl("get", "-o", "json", *args).stdout)


def session_cluster_name():
    """The cluster of this pytest process: THEBOT_TESTBED_NAME (thebot-test by default), and under pytest-xdist
    the worker's id after it, so each worker deploys to a cluster of its own (the audit-log checks of what a
    run wrote read one cluster's writes, and the fault tests kill its processes)."""
    name = os.environ.get("THEBOT_TESTBED_NAME", "thebot-test")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{name}-{worker}" if worker else name


def cluster(name):
    """Bring a test cluster up (idempotent); take it down afterwards unless asked to keep it."""
    up = subprocess.run([sys.executable, str(ROOT / "tests/testbed/testbed.py"), "up", "--name", name],
                        capture_output=True, text=True, check=False)
    assert up.returncode == 0, f"testbed up failed:\n{up.stderr}"
    yield Kube(Path(up.stdout.strip()))
    if os.environ.get("THEBOT_TESTBED_KEEP") != "1":
        subprocess.run([sys.executable, str(ROOT / "tests/testbed/testbed.py"), "down", "--name", name], check=True)
