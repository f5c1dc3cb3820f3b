"""No credential in any output of a whole life cycle at -vvv, nor in what helm keeps or shows.

The credentials looked for are the cluster Secret's (the dev vault's values, the generated ones and the
URLs that embed them) read after the runs. The suite-wide scan (tests/tools/scan_secrets.py, run by
make test) then reads every log the suite wrote, molecule's included.
"""

import base64

import pytest

from helpers.deploy import vault_secrets
from helpers.logs import register_secrets

pytestmark = pytest.mark.cluster


def test_no_credential_in_any_output_of_a_life_cycle(kube, deploy):
    outputs = {}
    first = deploy("-vvv")
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace
    runs = [("check-diff", ("-vvv", "--check", "--diff", "-e", "thebot_image_tag=1.0.1"), "deploy.yml"),
            ("upgrade", ("-vvv", "-e", "thebot_image_tag=1.0.1"), "deploy.yml"),
            ("rotate", ("-vvv", "-e", "thebot_rotate_secrets=true"), "deploy.yml"),
            ("status", ("-vvv",), "status.yml"), ("rollback", ("-vvv",), "rollback.yml")]
    outputs["install"] = first.output
    for name, args, playbook in runs:
        result = deploy(*args, playbook=playbook, namespace=ns)
        assert result.returncode == 0, f"{name}: {result.output[-3000:]}"
        outputs[name] = result.output
    for what in (("get", "values", "thebot", "--all"), ("get", "all", "thebot"), ("history", "thebot"),
                 ("get", "manifest", "thebot"), ("get", "hooks", "thebot")):
        outputs["helm " + " ".join(what)] = kube.helm(*what, "-n", ns).stdout
    secret = kube.get("secret", "thebot-credentials", "-n", ns)["data"]
    credentials = {k: base64.b64decode(v).decode() for k, v in secret.items() if k != "POSTGRES_USER"}
    credentials.update({k: v for k, v in vault_secrets("dev").items() if k != "postgres_user" and v})
    assert len(credentials) >= 7 and all(len(v) >= 8 for v in credentials.values())
    register_secrets(credentials.values())
    uninstall = deploy("-vvv", playbook="uninstall.yml", namespace=ns)
    assert uninstall.returncode == 0, uninstall.output[-3000:]
    outputs["uninstall"] = uninstall.output
    assert sum(len(o) for o in outputs.values()) > 100_000, "-vvv really was verbose"
    leaks = [f"{key} in {where}" for where, text in outputs.items() for key, value in credentials.items()
             if value in text]
    assert not leaks, leaks
