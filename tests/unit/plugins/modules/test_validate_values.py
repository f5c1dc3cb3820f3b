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


def test_the_runs_settings_are_refused_first_each_naming_its_variable(monkeypatch, capsys):
    """A bad name, duration or digest: only those are told (the values are built from them), all at once."""
    digest = "sha256:" + "0" * 64
    kind, result = run({"values": {**env_values("prod"), "debug": True}, "chart_path": str(CHART),
                        "environment": "prod",
                        "names": {"thebot_namespace": "The_Bot", "thebot_release_name": "thebot"},
                        "durations": {"thebot_helm_timeout": "ten minutes"},
                        "digests": {"thebot_image_digests": {"worker": digest, "backend": "sha256:ABC",
                                                             "redis": digest}}}, monkeypatch, capsys)
    assert kind is Fail and result["error_count"] == 4, result["msg"]
    assert result["msg"].splitlines() == [
        "4 problem(s) in the run's settings, nothing was sent to the cluster:",
        "  - thebot_namespace: \"The_Bot\" is not a valid name [settings.name]; fix: use at most 53 lower-case "
        "letters, digits and '-', starting and ending with a letter or digit",
        "  - thebot_helm_timeout: \"ten minutes\" is not a duration [settings.duration]; fix: write it as helm does, "
        "e.g. 10m, 90s or 1h30m",
        "  - thebot_image_digests.backend: \"sha256:ABC\" is not a digest [settings.digests]; fix: give it in the form "
        "sha256:<64 lower-case hex digits>, as the registry reports them",
        "  - thebot_image_digests.worker: \"worker\" is not a component that runs an image [settings.digests]; fix: "
        "use one of backend, frontend, celery, celeryBeat, postgresql, redis"]
    assert "debug" not in result["msg"], "the values are not judged while a setting is wrong"


@pytest.mark.parametrize("given, told", [
    ("sha256:" + "0" * 64, "is a str, not a mapping"),
    (["sha256:" + "0" * 64], "is a list, not a mapping"),
    ({"backend": 7}, "\"7\" is not a digest"),
    ({"backend": "sha256:" + "a" * 63}, "is not a digest"),
])
def test_digests_of_another_shape_are_refused(given, told, monkeypatch, capsys):
    kind, result = run({"values": env_values("dev"), "chart_path": str(CHART), "environment": "dev",
                        "digests": {"thebot_image_digests": given}}, monkeypatch, capsys)
    assert kind is Fail and told in result["msg"] and "thebot_image_digests" in result["msg"], result["msg"]


@pytest.mark.parametrize("name, ok", [("thebot", True), ("a", True), ("a" * 53, True), ("a" * 54, False),
                                      ("-thebot", False), ("thebot-", False), ("the.bot", False), (7, False)])
def test_a_name_is_a_dns_label_of_at_most_53_characters(name, ok, monkeypatch, capsys):
    kind, result = run({"values": env_values("dev"), "chart_path": str(CHART), "environment": "dev",
                        "names": {"thebot_release_name": name}}, monkeypatch, capsys)
    assert (kind is Exit) is ok, result.get("msg")


@pytest.mark.parametrize("duration, ok", [("10m", True), ("1h30m", True), ("1.5s", True), ("300ms", True),
                                          ("10", False), ("10 m", False), ("", False), ("m", False)])
def test_a_duration_is_in_gos_form(duration, ok, monkeypatch, capsys):
    kind, result = run({"values": env_values("dev"), "chart_path": str(CHART), "environment": "dev",
                        "durations": {"thebot_helm_timeout": duration}}, monkeypatch, capsys)
    assert (kind is Exit) is ok, result.get("msg")


def test_without_values_only_the_runs_settings_are_checked(monkeypatch, capsys, tmp_path):
    """For a rollback or an uninstall: no chart is read (a missing one is not an error), the settings still are."""
    kind, result = run({"names": {"thebot_namespace": "thebot-dev"}, "durations": {"thebot_helm_timeout": "15m"}},
                       monkeypatch, capsys)
    assert kind is Exit and result["findings"] == [], result
    kind, result = run({"durations": {"thebot_helm_timeout": "10"}}, monkeypatch, capsys)
    assert kind is Fail and result["msg"].startswith("1 problem(s) in the run's settings"), result
    assert "thebot_helm_timeout" in result["msg"]


@pytest.mark.parametrize("given", [{"values": {}}, {"values": {}, "chart_path": str(CHART)},
                                   {"environment": "dev"}])
def test_values_chart_and_environment_come_together(given, monkeypatch, capsys):
    kind, result = run(given, monkeypatch, capsys)
    assert kind is Fail and "parameters are required together: values, chart_path, environment" in result["msg"], \
        result
