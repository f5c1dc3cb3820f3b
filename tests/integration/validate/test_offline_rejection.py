"""Bad values are refused by a real ansible-playbook run in seconds, with no network at all.

The play runs inside a network namespace of its own (unshare --net: not even loopback is up), so
any attempt to reach a cluster would fail with a connection error instead of the validation message.
"""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from helpers.chart import CHART, env_values

BIN = Path(sys.executable).parent

PLAY = """
- name: Validate THE_BOT values
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Refuse bad values before any cluster call
      thebot.platform.validate_values:
        values: "{{ thebot_chart_values }}"
        chart_path: "%s"
        environment: prod
"""


def test_bad_prod_values_are_refused_offline(tmp_path):
    assert shutil.which("unshare"), "util-linux's unshare is needed to cut the network"
    values = env_values("prod")
    values.update(debug=True, image={"tag": "latest"})
    values["ingress"]["tls"] = []
    (tmp_path / "play.yml").write_text(PLAY % CHART)
    (tmp_path / "vars.yml").write_text(yaml.safe_dump({"thebot_chart_values": values}))
    env = dict(os.environ, PATH=f"{BIN}:{os.environ['PATH']}", ANSIBLE_NOCOLOR="1",
               ANSIBLE_PYTHON_INTERPRETER=sys.executable, KUBECONFIG=str(tmp_path / "no-such-kubeconfig"))
    started = time.monotonic()
    result = subprocess.run(["unshare", "--net", str(BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                             str(tmp_path / "play.yml"), "-e", f"@{tmp_path / 'vars.yml'}"],
                            capture_output=True, text=True, env=env, check=False)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    print(f"\nrejection of bad prod values by ansible-playbook, offline: {elapsed:.1f} s")
    assert result.returncode == 2, output
    for path in ("debug:", "image.tag:", "ingress.hosts.0.host:"):
        assert path in output, output
    assert "nothing was sent to the cluster" in output
    assert "Traceback" not in output
