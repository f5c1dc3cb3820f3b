"""The catalogue of bad inputs (bad_inputs.yml): each refused by deploy.yml before any cluster write.

Every case runs the real deploy playbook against the suite's cluster, where a release of dev already
runs in the namespace the case names. "No write" is read from the kube-apiserver's audit log (the test
bed records every write and who made it), not inferred from the playbook's output; the release's
history is checked unchanged at the end.
"""

import copy
import datetime
import json
import shutil
import uuid
from pathlib import Path

import pytest
import yaml

import testbed
from helpers.deploy import PROD_RELEASE, ROOT, revisions, vault_secrets
from helpers.digests import EXAMPLE_DIGESTS

pytestmark = pytest.mark.cluster

CASES = yaml.safe_load((Path(__file__).with_name("bad_inputs.yml")).read_text())
STRONG = {key: uuid.uuid4().hex + uuid.uuid4().hex for key in
          ("secret_key", "postgres_password", "redis_password", "telegram_bot_token", "email_host_password")}
BIG = "x" * (1024 * 1024 + 1)  # above what a ConfigMap can hold


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture(scope="module")
def release(kube, module_deploy):
    """A running dev release: the bad inputs aim at its namespace."""
    first = module_deploy()
    assert first.returncode == 0, first.output[-3000:]
    return first.namespace


def arguments(case, tmp_path, kube, cluster_name):
    env = case.get("env", "dev")
    extra = copy.deepcopy(case.get("extra", {}))
    if "values" in case:
        extra["thebot_cluster_chart_values"] = json.loads(json.dumps(case["values"]).replace("@@BIG@@", BIG))
    if env == "prod" and case.get("tag", True):
        extra.setdefault("thebot_image_tag", "1.4.2")
    if env == "prod" and case.get("digests", True):
        extra.setdefault("thebot_image_digests", EXAMPLE_DIGESTS)
    secrets = dict(vault_secrets(env)) if env == "dev" or case.get("demo_secrets") else \
        {**STRONG, "postgres_user": "thebot"}
    if "secrets" in case:
        secrets.update(case["secrets"])
        secrets = {k: v for k, v in secrets.items() if v is not None}
        extra["thebot_secrets"] = secrets
    elif env == "prod" and not case.get("demo_secrets"):
        extra["thebot_secrets"] = secrets
    args = ["-e", f"@{tmp_path / 'case.yml'}"] + (["-l", "prod-eu-1"] if env == "prod" else [])
    if "extra_text" in case:
        (tmp_path / "extra.yml").write_text(case["extra_text"])
        args += ["-e", f"@{tmp_path / 'extra.yml'}"]
    (tmp_path / "case.yml").write_text(yaml.safe_dump(extra, width=10**9))
    options = {"env": env}
    if "file" in case:
        inventory = tmp_path / "inventory"
        shutil.copytree(ROOT / "inventories" / env, inventory)
        (inventory / case["file"]["path"]).write_text(case["file"]["text"])
        options["inventory"] = inventory
        args += ["-e", f"thebot_kubeconfig={kube.kubeconfig}", "-e", f"thebot_context=testbed-{cluster_name}"]
    if case.get("vault"):
        options["vault"] = False
        if case["vault"] == "wrong":
            (tmp_path / "wrong-password").write_text("not-the-password\n")
            args += ["--vault-password-file", str(tmp_path / "wrong-password")]
    return args, options


def test_the_catalogue_is_large_and_distinct():
    ids = [case["id"] for case in CASES]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    assert all(case.get("expect") for case in CASES), "each case names what the message must hold"


def test_the_inventories_as_they_are_pass(kube, module_deploy, release):
    """The control: what the cases change is what makes them fail. prod with real-looking credentials."""
    prod = module_deploy("--check", "-l", "prod-eu-1", *PROD_RELEASE, "-e",
                         json.dumps({"thebot_secrets": {**STRONG, "postgres_user": "thebot"}}), env="prod",
                         namespace=release)
    assert prod.returncode == 0, prod.output[-3000:]


def test_digests_given_as_yaml_text_as_awxs_survey_gives_them(kube, module_deploy, release):
    """A textarea answer is a string: the same mapping, as YAML text, is read as the mapping."""
    text = "".join(f"{name}: {digest}\n" for name, digest in EXAMPLE_DIGESTS.items())
    prod = module_deploy("--check", "-l", "prod-eu-1", "-e", "thebot_image_tag=1.4.2", "-e",
                         json.dumps({"thebot_image_digests": text,
                                     "thebot_secrets": {**STRONG, "postgres_user": "thebot"}}), env="prod",
                         namespace=release)
    # prod refuses images by tag alone (prod-by-tag-only): passing, the text was read as the digests.
    assert prod.returncode == 0, prod.output[-3000:]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_bad_input_is_refused_before_any_write(case, kube, module_deploy, release, tmp_path, cluster_name):
    args, options = arguments(case, tmp_path, kube, cluster_name)
    since = now()
    result = module_deploy(*args, namespace=release, **options)
    assert result.returncode != 0, f"accepted: {case['id']}\n{result.output[-3000:]}"
    for text in case["expect"]:
        assert text in result.flat, f"{case['id']}: the message does not name {text!r}:\n{result.output[-3000:]}"
    assert "Traceback" not in result.output
    writes = testbed.Cluster(cluster_name).writes(since)
    assert not writes, f"{case['id']} wrote to the cluster: " + "; ".join(
        f"{w['verb']} {w['objectRef'].get('resource')}/{w['objectRef'].get('name')} by {w['userAgent']}"
        for w in writes)


def test_the_release_is_as_it_was(kube, release):
    history = revisions(kube, release)
    assert [r["status"] for r in history] == ["deployed"], "no bad input made a revision"
