"""awx/controller.yml: job templates whose playbooks, survey variables and sources exist in this project."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CONTROLLER = yaml.safe_load((ROOT / "awx" / "controller.yml").read_text())
TEMPLATES = {t["name"]: t for t in CONTROLLER["controller_templates"]}
ENVIRONMENTS = {e["name"]: e for e in CONTROLLER["controller_execution_environments"]}
# What the playbooks and the roles they run can read.
SOURCES = "\n".join(p.read_text() for p in [*ROOT.glob("playbooks/**/*.yml"), *ROOT.glob("roles/**/*.yml")])


def test_a_job_template_for_each_playbook():
    assert {t["playbook"] for t in TEMPLATES.values()} == {"deploy.yml", "rollback.yml", "status.yml", "uninstall.yml",
                                                           "drift.yml", "backup.yml", "restore.yml"}


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_runs_a_playbook_of_the_project_with_variables_it_reads(name):
    template = TEMPLATES[name]
    assert (ROOT / template["playbook"]).is_file()
    assert template["execution_environment"] in ENVIRONMENTS, f"{name}: its execution environment is not defined"
    assert template["survey_enabled"] is True
    for question in template["survey_spec"]["spec"]:
        variable = question["variable"]
        assert re.search(rf"\b{variable}\b", SOURCES), f"{name}: no playbook reads {variable}"
    for variable in template["extra_vars"]:
        assert (ROOT / "roles" / "prerequisites" / "meta" / "argument_specs.yml").read_text().count(f"{variable}:")


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_template_asks_for_an_environment_of_the_inventories(name):
    environment = next(q for q in TEMPLATES[name]["survey_spec"]["spec"] if q["variable"] == "thebot_target")
    inventories = sorted(p.name for p in (ROOT / "inventories").iterdir() if p.is_dir())
    assert sorted(environment["choices"]) == inventories and environment["required"] is True


def test_deploy_asks_for_environment_image_tag_and_dry_run_and_rollback_for_a_revision():
    asked = {name: {q["variable"] for q in t["survey_spec"]["spec"]} for name, t in TEMPLATES.items()}
    assert asked["THE_BOT deploy"] == {"thebot_target", "thebot_image_tag", "thebot_image_digests", "thebot_dry_run"}
    assert "thebot_rollback_revision" in asked["THE_BOT rollback"]


def test_clusters_through_a_bearer_token_credential_and_sources_from_the_project():
    types = {c["name"]: c["credential_type"] for c in CONTROLLER["controller_credentials"]}
    assert types["thebot cluster"] == "OpenShift or Kubernetes API Bearer Token"
    assert all(set(t["credentials"]) == set(types) for t in TEMPLATES.values())
    for source in CONTROLLER["controller_inventory_sources"]:
        assert (ROOT / source["source_path"]).is_file(), source["name"]


def test_the_execution_environment_is_named_as_make_ee_tags_it():
    """thebot-ee:<the collection's version> (tests/testbed/eeimage.py), in whichever registry it is pushed to."""
    version = yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]
    for project in CONTROLLER["controller_projects"]:
        assert project["default_environment"] in ENVIRONMENTS
    assert [e["image"].rsplit("/", 1)[-1] for e in ENVIRONMENTS.values()] == [f"thebot-ee:{version}"]
