"""Data survives: across upgrade, rollback, uninstall and reinstall the claims keep their UIDs (so their
volumes) and the database password stays the one generated on the first install."""

import base64

import pytest

from helpers.deploy import revisions

pytestmark = pytest.mark.cluster


def test_claims_and_database_password_survive_upgrade_rollback_uninstall_reinstall(kube, deploy):
    first = deploy()
    assert first.returncode == 0, first.output[-3000:]
    ns = first.namespace

    def data():
        claims = {c["metadata"]["name"]: (c["metadata"]["uid"], c["spec"].get("volumeName"))
                  for c in kube.get("pvc", "-n", ns)["items"]}
        secret = kube.get("secret", "thebot-credentials", "-n", ns)["data"]
        return claims, base64.b64decode(secret["POSTGRES_PASSWORD"]).decode()

    before = data()
    assert sorted(before[0]) == ["data-thebot-postgresql-0", "data-thebot-redis-0", "thebot-media", "thebot-static"]
    assert all(volume for _uid, volume in before[0].values()), "every claim is bound"
    steps = [("upgrade", {"args": ("-e", "thebot_image_tag=1.0.1")}), ("rollback", {"playbook": "rollback.yml"}),
             ("uninstall", {"playbook": "uninstall.yml"}), ("reinstall", {})]
    for step, how in steps:
        result = deploy(*how.get("args", ()), playbook=how.get("playbook", "deploy.yml"), namespace=ns)
        assert result.returncode == 0, f"{step}: {result.output[-3000:]}"
        if step == "uninstall":
            assert kube.helm("status", "thebot", "-n", ns, check=False).returncode != 0, "the release is gone"
        assert data() == before, f"after the {step}, a claim or the database password changed"
    history = revisions(kube, ns)
    assert [r["status"] for r in history] == ["deployed"] and history[0]["description"] == "Install complete"
