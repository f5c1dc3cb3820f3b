"""thebot.platform.credentials_secret's work: what it decides, and what it writes or refuses, against a stand-in
for the Kubernetes client that records every call. Against a real API server (a deploy, a lost Secret, rotation,
--check of a first install) it is tests/integration/deploy (test_deploy, test_safe_by_construction)."""

import base64

import pytest
from ansible.plugins.filter.core import get_hash, to_json
from kubernetes.client.exceptions import ApiException
from kubernetes.dynamic.exceptions import DynamicApiError

from ansible_collections.thebot.platform.plugins.module_utils import credentials
from ansible_collections.thebot.platform.plugins.plugin_utils.module_in_process import ModuleStandIn, run_work

LIST = [{"key": "SECRET_KEY", "vault": "secret_key", "generate": True},
        {"key": "POSTGRES_USER", "vault": "postgres_user", "data": True, "public": True},
        {"key": "POSTGRES_PASSWORD", "vault": "postgres_password", "generate": True, "data": True},
        {"key": "TELEGRAM_BOT_TOKEN", "vault": "telegram_bot_token", "optional": True}]
VAULT = {"secret_key": "k" * 50, "postgres_user": "thebot", "postgres_password": "vault-password"}
LABELS = {"app.kubernetes.io/component": "credentials"}


def b64(text):
    return base64.b64encode(text.encode()).decode()


def not_found():
    return DynamicApiError(ApiException(status=404, reason="Not Found"))


class Resource(object):
    def __init__(self, client, kind):
        self.client, self.kind = client, kind
        self.namespaced = kind != "Namespace"

    def get(self, name=None, namespace=None, label_selector=None, field_selector=None):
        self.client.calls.append(("get", self.kind, name, label_selector))
        if self.kind in self.client.broken:
            raise DynamicApiError(ApiException(status=403, reason="Forbidden"))
        found = self.client.objects.get(self.kind)
        if name:
            if found is None:
                raise not_found()
            return Found(found)
        return Found({"items": found or []})

    def create(self, body, namespace):
        self.client.calls.append(("create", self.kind, body))

    def replace(self, body, name, namespace):
        self.client.calls.append(("replace", self.kind, body))


class Found(object):
    def __init__(self, value):
        self.value = value

    def to_dict(self):
        return self.value


class Client(object):
    """The objects of one namespace: kind -> the object (Secret, Namespace) or the list (PersistentVolumeClaim)."""

    def __init__(self, broken=(), **objects):
        self.objects, self.calls, self.broken = objects, [], broken

    def resource(self, kind, api_version):
        assert api_version == "v1"
        return Resource(self, kind)

    def writes(self):
        return [call for call in self.calls if call[0] in ("create", "replace")]


def secret(data, labels=None):
    return {"metadata": {"name": "thebot-credentials", "resourceVersion": "41", "labels": dict(LABELS, **(labels or {}))},
            "data": data}


def run(client, check_mode=False, **params):
    params = dict({"name": "thebot-credentials", "namespace": "thebot-dev", "credentials": LIST, "values": VAULT,
                   "generate": [], "rotate": False, "release_name": "thebot", "labels": LABELS}, **params)
    return run_work(credentials.run, ModuleStandIn(params, check_mode), lambda: client)


def test_the_cluster_value_wins_then_the_vault_then_a_generated_one():
    current = {"POSTGRES_PASSWORD": b64("running-password")}
    decided, kept = credentials.decide(LIST, current, {"postgres_password": "vault-password", "postgres_user": 7},
                                       ["secret_key"], rotate=False, make=lambda: "generated")
    assert decided == {"secret_key": "generated", "postgres_user": "7", "postgres_password": "running-password",
                       "telegram_bot_token": ""}
    assert kept == ["postgres_password"], "a vault value that differs from the running one is reported, not written"
    rotated, kept = credentials.decide(LIST, current, VAULT, [], rotate=True)
    assert rotated["postgres_password"] == "vault-password" and kept == []


def test_a_generated_credential_is_40_letters_and_digits_and_new_each_time():
    first, second = credentials.generated(), credentials.generated()
    assert len(first) == 40 and first.isalnum() and first.isascii() and first != second


def test_the_checksum_is_the_one_the_role_computed_so_no_pod_rolls_on_upgrade():
    data = credentials.secret_data(LIST, dict(VAULT, telegram_bot_token=""))
    assert data["TELEGRAM_BOT_TOKEN"] == "" and base64.b64decode(data["POSTGRES_USER"]) == b"thebot"
    assert credentials.checksum(data) == get_hash(to_json(data, sort_keys=True), "sha256")


def test_a_first_install_creates_the_secret_with_its_labels():
    client = Client(PersistentVolumeClaim=[])
    result = run(client)
    assert result["changed"] and result["action"] == "created" and not result["refused"], result
    (verb, kind, body), = client.writes()
    assert (verb, kind) == ("create", "Secret") and body["metadata"]["labels"] == LABELS and body["type"] == "Opaque"
    assert body["data"]["POSTGRES_PASSWORD"] == b64("vault-password") and "resourceVersion" not in body["metadata"]
    assert result["checksum"] == credentials.checksum(body["data"])
    assert "vault-password" not in repr(result) and b64("vault-password") not in repr(result)


def test_the_same_secret_again_is_not_written():
    data = credentials.secret_data(LIST, dict(VAULT, telegram_bot_token=""))
    client = Client(Secret=secret(data))
    result = run(client)
    assert not result["changed"] and result["action"] == "unchanged" and client.writes() == []
    assert result["checksum"] == credentials.checksum(data)


def test_a_secret_with_a_stale_key_or_without_a_label_is_replaced_whole_at_the_version_read():
    data = credentials.secret_data(LIST, dict(VAULT, telegram_bot_token=""))
    for stale in (secret(dict(data, DATABASE_URL=b64("postgresql://old"))),
                  dict(secret(data), metadata={"name": "thebot-credentials", "resourceVersion": "41"})):
        client = Client(Secret=stale)
        result = run(client)
        (verb, dummy, body), = client.writes()
        assert verb == "replace" and result["action"] == "replaced" and body["data"] == data
        assert body["metadata"]["resourceVersion"] == "41" and body["metadata"]["labels"] == LABELS


@pytest.mark.parametrize("left", [None, {"SECRET_KEY": b64("k" * 50), "POSTGRES_USER": b64("thebot")}])
def test_credentials_lost_under_their_database_volume_are_refused_and_nothing_is_written(left):
    volume = {"metadata": {"name": "data-thebot-postgresql-0"}}
    client = Client(Secret=None if left is None else secret(left), PersistentVolumeClaim=[volume])
    result = run(client)
    said = ("The Secret thebot-credentials is missing from thebot-dev" if left is None
            else "The Secret thebot-credentials in thebot-dev lacks POSTGRES_PASSWORD")
    assert result["refused"].startswith(said) and "data-thebot-postgresql-0" in result["refused"]
    assert not result["changed"] and client.writes() == [] and result["checksum"] == ""
    assert ("get", "PersistentVolumeClaim", None,
            "app.kubernetes.io/instance=thebot,app.kubernetes.io/component=postgresql") in client.calls
    rotated = Client(Secret=None, PersistentVolumeClaim=[volume])
    assert run(rotated, rotate=True)["action"] == "created" and len(rotated.writes()) == 1


def test_a_credential_without_a_value_is_refused_naming_the_vault_key():
    client = Client(PersistentVolumeClaim=[])
    result = run(client, values={"postgres_user": "thebot"}, generate=["secret_key"])
    assert result["refused"].startswith("The vault lacks thebot_secrets.postgres_password and")
    assert "telegram_bot_token" not in result["refused"], "an optional credential may stay empty"
    assert client.writes() == []


def test_check_mode_writes_nothing_and_says_whether_the_namespace_is_new():
    for namespace, exists in ((None, False), ({"metadata": {"name": "thebot-dev"}}, True)):
        client = Client(PersistentVolumeClaim=[], Namespace=namespace)
        result = run(client, check_mode=True)
        assert result["changed"] and result["action"] == "created" and result["namespace_exists"] is exists
        assert client.writes() == []


def test_an_api_error_fails_naming_the_step_and_writes_nothing():
    client = Client(broken=("PersistentVolumeClaim",))
    result = run(client)
    assert result["failed"] and result["msg"].startswith(
        "cannot look for the database volume of release thebot: 403"), result
    assert client.writes() == []
