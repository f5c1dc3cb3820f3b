"""The validate_values module: exit with findings, or fail with every problem listed, never leaking secrets."""

import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.thebot.platform.plugins.modules import validate_values
from helpers.chart import CHART, env_values


class Exit(Exception):
    pass


class Fail(Exception):
    pass


def run(args, monkeypatch, capsys):
    def exit_json(self, **kwargs):
        raise Exit(kwargs)

    def fail_json(self, **kwargs):
        raise Fail(kwargs)

    monkeypatch.setattr(validate_values.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(validate_values.AnsibleModule, "fail_json", fail_json)
    with patch_module_args(args), pytest.raises((Exit, Fail)) as outcome:
        validate_values.main()
    return outcome.type, outcome.value.args[0]


def test_good_values_exit_unchanged(monkeypatch, capsys):
    values = {**env_values("staging"), "image": {"tag": "1.4.2"}}
    kind, result = run({"values": values, "chart_path": str(CHART), "environment": "staging"}, monkeypatch, capsys)
    assert kind is Exit and result["changed"] is False and result["error_count"] == 0


def test_bad_values_fail_listing_every_problem(monkeypatch, capsys):
    values = {**env_values("prod"), "debug": True, "image": {"tag": "latest"}}
    secret = "demo-very-secret-value-123"
    kind, result = run({"values": values, "chart_path": str(CHART), "environment": "prod",
                        "secrets": {"secret_key": secret}}, monkeypatch, capsys)
    assert kind is Fail and result["error_count"] >= 3
    assert "nothing was sent to the cluster" in result["msg"]
    for path in ("debug:", "image.tag:", "secrets.secret_key:"):
        assert path in result["msg"], result["msg"]
    assert secret not in json.dumps(result), "findings name the key, never the value"


def test_missing_chart_is_a_clear_error(monkeypatch, capsys, tmp_path):
    kind, result = run({"values": {}, "chart_path": str(tmp_path), "environment": "dev"}, monkeypatch, capsys)
    assert kind is Fail and "point chart_path at charts/thebot" in result["msg"]
