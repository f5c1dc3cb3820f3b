import pytest
from ansible.errors import AnsibleParserError
from ansible.inventory.group import Group
from ansible.inventory.host import Host
from ansible.parsing.dataloader import DataLoader

from ansible_collections.thebot.platform.plugins.module_utils.yaml_syntax import yaml_errors
from ansible_collections.thebot.platform.plugins.vars.yaml_check import VarsModule
from helpers.deploy import ROOT


def test_every_inventory_file_of_the_repository_parses():
    files = sorted(str(p) for p in (ROOT / "inventories").rglob("*.yml"))
    assert len(files) >= 12 and yaml_errors(files) == []


def test_a_broken_file_is_named_with_line_column_and_problem(tmp_path):
    indented = tmp_path / "main.yml"
    indented.write_text("thebot_environment: dev\n  thebot_namespace: x\n")
    tabbed = tmp_path / "chart.yml"
    tabbed.write_text("thebot_chart_values:\n\tdebug: true\n")
    errors = yaml_errors([str(indented), str(tabbed), str(tmp_path / "gone.yml")])
    assert errors[0] == f"{indented} line 2, column 19 - mapping values are not allowed here"
    assert errors[1].startswith(f"{tabbed} line 2, column 1 - found character '\\t'")
    assert errors[2].startswith(f"{tmp_path / 'gone.yml'} - ") and len(errors) == 3


def test_the_vars_plugin_names_the_broken_group_or_host_file(tmp_path):
    (tmp_path / "group_vars" / "dev").mkdir(parents=True)
    (tmp_path / "group_vars" / "dev" / "vault.yml").write_text("thebot_secrets:\n  key: !vault |\n    $ANSIBLE\n")
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars" / "local.yml").write_text("thebot_context: [unclosed\n")
    plugin = VarsModule()
    assert plugin.get_vars(DataLoader(), str(tmp_path), [Group("dev")]) == {}, "vaulted values parse"
    with pytest.raises(AnsibleParserError, match=r"host_vars/local.yml line 2, column 1 - .*Fix the file"):
        plugin.get_vars(DataLoader(), str(tmp_path), [Host("local")])


def test_a_key_written_twice_is_named_with_both_lines(tmp_path):
    """YAML keeps the last of two equal keys: a whole values block an operator wrote would vanish."""
    twice = tmp_path / "chart.yml"
    twice.write_text("thebot_chart_values:\n  backend:\n    replicaCount: 2\n  debug: false\n"
                     "  backend:\n    replicaCount: 3\n")
    nested = tmp_path / "main.yml"
    nested.write_text("a: {b: 1, b: 2}\n")
    errors = yaml_errors([str(twice), str(nested)])
    assert errors[0] == f"{twice} line 5, column 3 - duplicate key 'backend' (first at line 2)"
    assert errors[1] == f"{nested} line 1, column 11 - duplicate key 'b' (first at line 1)"
    assert yaml_errors([str(ROOT / "inventories" / "dev" / "hosts.yml")]) == [], "distinct keys pass"


def test_a_file_is_parsed_once_until_it_changes(tmp_path, monkeypatch):
    """ansible-core asks the plugin again for every task: an unchanged file is not parsed again."""
    from ansible_collections.thebot.platform.plugins.vars import yaml_check

    parsed = []
    monkeypatch.setattr(yaml_check, "yaml_errors", lambda paths: parsed.extend(paths) or yaml_errors(paths))
    (tmp_path / "group_vars").mkdir()
    chart = tmp_path / "group_vars" / "dev.yml"
    chart.write_text("thebot_environment: dev\n")
    plugin = VarsModule()
    for _task in range(3):
        assert plugin.get_vars(DataLoader(), str(tmp_path), [Group("dev")]) == {}
    assert parsed == [str(chart)]
    chart.write_text("thebot_environment: [dev\n")  # another size: changed, so parsed again, and refused
    with pytest.raises(AnsibleParserError, match=r"group_vars/dev.yml line 2, column 1"):
        plugin.get_vars(DataLoader(), str(tmp_path), [Group("dev")])
    assert parsed == [str(chart)] * 2
