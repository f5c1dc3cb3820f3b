"""A release left pending by a killed helm run is recovered explicitly, visibly, and without loss.

The stuck state is made for real: helm upgrade --wait on pods no node can take, then SIGKILL.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import testbed

pytestmark = pytest.mark.cluster

CHART = Path(__file__).resolve().parents[1] / "testbed" / "charts" / "hooked"
BIN = Path(sys.executable).parent
PLAY = """
- name: Recover a stuck release
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Recover the release if an earlier run was killed
      thebot.platform.helm_release_recover:
        release_name: hooked
        release_namespace: "{{ ns }}"
        stale_after: "{{ stale_after | int }}"
      register: recovered
    - name: Show what was done
      ansible.builtin.debug:
        var: recovered.action
"""


def history(kube, namespace):
    return json.loads(kube.helm("history", "hooked", "-n", namespace, "-o", "json").stdout)


def playbook(kube, tmp_path, namespace, stale_after, *extra):
    (tmp_path / "play.yml").write_text(PLAY)
    # JSON results whatever ansible.cfg says: the assertions below read them.
    env = dict(kube.env, PATH=f"{BIN}:{kube.env['PATH']}", ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    return subprocess.run([str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(tmp_path / "play.yml"),
                           "-e", f"ns={namespace}", "-e", f"stale_after={stale_after}", *extra],
                          capture_output=True, text=True, env=env, check=False)


@pytest.fixture
def stuck(kube, namespace):
    kube.helm("install", "hooked", str(CHART), "-n", namespace, "--wait", "--timeout", "60s")
    upgrade = subprocess.Popen([testbed.binary("helm"), "upgrade", "hooked", str(CHART), "-n", namespace, "--wait",
                                "--timeout", "300s", "--set", "nodeSelector.nowhere=true"],
                               env=kube.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 240  # a deadline for a stuck test, not a speed: helm starts slowly on a loaded machine
    while (statuses := [r["status"] for r in history(kube, namespace)])[-1] != "pending-upgrade":
        assert upgrade.poll() is None, f"helm upgrade ended before it was pending: {upgrade.communicate()[0]}"
        assert time.monotonic() < deadline, f"helm upgrade never reached pending-upgrade: history {statuses}"
        time.sleep(0.5)
    os.killpg(upgrade.pid, signal.SIGKILL)  # what a lost AWX job or a closed laptop does
    upgrade.wait()
    blocked = kube.helm("upgrade", "hooked", str(CHART), "-n", namespace, check=False)
    assert "another operation" in blocked.stderr, "the release must really be stuck before recovery"
    return namespace


def test_fresh_pending_release_is_left_alone_with_a_clear_message(kube, stuck, tmp_path):
    result = playbook(kube, tmp_path, stuck, 3600)
    assert result.returncode == 2, result.stdout
    assert "another deploy may still be running" in result.stdout, result.stdout
    assert history(kube, stuck)[-1]["status"] == "pending-upgrade", "nothing was changed"


def test_check_mode_reports_without_writing(kube, stuck, tmp_path):
    result = playbook(kube, tmp_path, stuck, 0, "--check")
    assert result.returncode == 0 and "would-recover" in result.stdout, result.stdout
    assert history(kube, stuck)[-1]["status"] == "pending-upgrade"


def test_stale_pending_release_is_marked_failed_and_the_next_deploy_proceeds(kube, stuck, tmp_path):
    objects_before = {o["metadata"]["uid"] for o in kube.get("deployment,service,configmap", "-n", stuck)["items"]}
    result = playbook(kube, tmp_path, stuck, 0)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]: release hooked revision 2 was pending-upgrade" in result.stdout + result.stderr
    last = history(kube, stuck)[-1]
    assert last["revision"] == 2 and last["status"] == "failed"
    assert "marked failed by thebot.platform.helm_release_recover" in last["description"]
    after = {o["metadata"]["uid"] for o in kube.get("deployment,service,configmap", "-n", stuck)["items"]}
    assert after == objects_before, "recovery changes no object"
    kube.helm("upgrade", "hooked", str(CHART), "-n", stuck, "--wait", "--timeout", "60s")
    assert [r["status"] for r in history(kube, stuck)] == ["superseded", "failed", "deployed"]
    again = playbook(kube, tmp_path, stuck, 0)
    assert again.returncode == 0 and '"recovered.action": "none"' in again.stdout, "idempotent once healthy"


def test_recovery_runs_in_ansible_playbooks_process(kube, stuck, tmp_path):
    """The action plugin of the module's name does the work: no module is shipped (AnsiballZ) or run."""
    result = playbook(kube, tmp_path, stuck, 0, "--check", "-vvv")
    assert result.returncode == 0 and "would-recover" in result.stdout, result.stdout
    assert "AnsiballZ" not in result.stdout + result.stderr, result.stdout[-3000:]
