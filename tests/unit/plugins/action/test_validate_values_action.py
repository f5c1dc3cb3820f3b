"""The validate_values action plugin: the module's outcome, in ansible-playbook's own process.

Each case runs the task for real through `ansible localhost` (the collection as ansible finds it, the action
plugin chosen by its name) and compares what it returns with what the module returns for the same arguments.
"""

import pytest

from helpers.chart import CHART, env_values
from helpers.tasks import run_module, run_task

SECRET = "demo-very-secret-value-123"


def run_action(args: dict, *options: str) -> tuple:
    return run_task("validate_values", args, *options)


def same_outcome(action: dict, module: dict) -> None:
    for key in ("findings", "error_count", "warning_count", "changed"):
        assert action.get(key) == module.get(key), key
    assert action.get("msg") == module.get("msg")


CASES = {
    "good": {"values": {**env_values("staging"), "image": {"tag": "1.4.2"}}, "environment": "staging"},
    "bad, with a credential": {"values": {**env_values("prod"), "debug": True, "image": {"tag": "latest"}},
                               "environment": "prod", "secrets": {"secret_key": SECRET}},
    "warnings only": {"values": {"image": {"tag": "latest"}}, "environment": "dev"},
    "digests required": {"values": {"image": {"tag": "1.4.2"}}, "environment": "dev", "require_digests": True},
}


@pytest.mark.parametrize("case", CASES)
def test_the_action_returns_what_the_module_returns(case, tmp_path):
    args = {**CASES[case], "chart_path": str(CHART)}
    action, output = run_action(args)
    module = run_module("validate_values", args, tmp_path)
    same_outcome(action, module)
    assert bool(action.get("failed")) == bool(module.get("failed")), output[-3000:]
    assert SECRET not in output, "no credential in anything ansible prints"


def test_warnings_are_told_as_ansible_warnings():
    action, output = run_action({"values": {"image": {"tag": "latest"}}, "environment": "dev", "chart_path": str(CHART)})
    assert not action.get("failed") and action["warning_count"] >= 1, output[-3000:]
    assert "image.tag: " in output and "; fix: " in output, output[-3000:]


def test_no_module_process_is_started():
    """The point of the action: with -vvv ansible logs every module it ships (AnsiballZ) and runs; none here."""
    action, output = run_action({"values": {}, "environment": "dev", "chart_path": str(CHART)}, "-vvv")
    assert action["error_count"] == 0, output[-3000:]
    assert "AnsiballZ" not in output and "EXEC " not in output, output[-3000:]


def test_bad_options_and_an_unreadable_chart_are_refused_with_the_fix(tmp_path):
    action, output = run_action({"values": {}, "environment": "dev", "chart_path": str(tmp_path), "fail_on": "info"})
    assert action["failed"] and "fail_on" in action["msg"] and "error, warning" in action["msg"], output[-3000:]
    action, output = run_action({"values": {}, "environment": "dev", "chart_path": str(tmp_path)})
    assert action["failed"] and "point chart_path at charts/thebot" in action["msg"], output[-3000:]


@pytest.mark.parametrize("args", [{"durations": {"thebot_helm_timeout": "10"}, "names": {"thebot_namespace": "ok"}},
                                  {"durations": {"thebot_helm_timeout": "10m"}},
                                  {"values": {}, "environment": "dev"}])
def test_without_values_only_settings_are_checked_as_the_module_does(args, tmp_path):
    """A rollback's or an uninstall's check; values, chart_path and environment come together or not at all."""
    action, output = run_action(args)
    module = run_module("validate_values", args, tmp_path)
    assert bool(action.get("failed")) == bool(module.get("failed")), output[-3000:]
    if "values" in args:
        assert action["failed"] and "required together: values, chart_path, environment" in action["msg"], output
    else:
        same_outcome(action, module)
