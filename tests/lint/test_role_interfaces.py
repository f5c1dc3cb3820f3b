"""Each role's interface is written down, and roles talk only through it.

Inputs are a role's meta/argument_specs.yml; what it returns (the facts it sets for its caller) is the
"## Returns" section of its README. A role's tasks never read another role's variables: what they need comes in
as an input of their own, which a default may take from another role's declared output. The playbooks read of
a role only what it declares. Facts a role keeps to itself are named __<role>_*.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.name for p in (ROOT / "roles").iterdir() if (p / "tasks").is_dir())
# Keys whose whole value is a Jinja expression, not a template.
EXPRESSIONS = {"when", "that", "until", "changed_when", "failed_when", "loop"}
JINJA = re.compile(r"{{(.*?)}}|{%(.*?)%}", re.S)
NAME = re.compile(r"(?<![\w.'\"])(" + "|".join(ROLES) + r")_[a-z0-9_]+")


def _expressions(node, key=None):
    """Every Jinja expression in a YAML document's values (keys are option names, not variables)."""
    if isinstance(node, dict):
        for child_key, value in node.items():
            yield from _expressions(value, child_key)
    elif isinstance(node, list):
        for item in node:
            yield from _expressions(item, key)
    elif isinstance(node, str):
        if key in EXPRESSIONS:
            yield node
        yield from ("".join(parts) for parts in JINJA.findall(node))


def names_read(path: Path) -> set:
    text = path.read_text()
    if path.suffix in (".yml", ".yaml"):
        expressions = list(_expressions(yaml.safe_load(text)))
    else:  # a template: all of it is Jinja's
        expressions = ["".join(parts) for parts in JINJA.findall(text)]
    return {match.group(0) for expression in expressions for match in NAME.finditer(expression)}


def facts_set(role: str) -> set:
    found = set()

    def walk(tasks):
        for task in tasks or []:
            if not isinstance(task, dict):
                continue
            for key in ("block", "rescue", "always"):
                walk(task.get(key))
            if "register" in task:
                found.add(task["register"])
            set_fact = task.get("ansible.builtin.set_fact")
            if isinstance(set_fact, dict):
                found.update(name for name in set_fact if name != "cacheable")

    for path in (ROOT / "roles" / role / "tasks").glob("*.yml"):
        walk(yaml.safe_load(path.read_text()))
    return found


def returns(role: str) -> set:
    readme = (ROOT / "roles" / role / "README.md").read_text()
    assert "\n## Returns\n" in readme, f"roles/{role}/README.md: say what the role returns (## Returns)"
    section = readme.split("\n## Returns\n", 1)[1].split("\n## ", 1)[0]
    # A line "- `name`: what it is", or "- `one`, `two`: what they are".
    heads = re.findall(r"^- ((?:`[a-z0-9_]+`(?:, )?)+):", section, re.M)
    return {name for head in heads for name in re.findall(r"`([a-z0-9_]+)`", head)}


def inputs(role: str) -> set:
    specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    return {name for entry in specs.values() for name in (entry.get("options") or {})}


@pytest.mark.parametrize("role", ROLES)
def test_a_role_returns_what_its_readme_says_and_keeps_the_rest_private(role):
    public = {name for name in facts_set(role) if not name.startswith("__")}
    assert all(name.startswith(role + "_") for name in public), f"{role} sets {public}: prefix them {role}_"
    assert public == returns(role), f"roles/{role}: sets {sorted(public)}, README's Returns says {sorted(returns(role))}"


@pytest.mark.parametrize("role", ROLES)
def test_a_role_reads_no_variable_of_another_role(role):
    """Tasks, vars and templates: only the role's own names. Defaults: another role's declared outputs."""
    base = ROOT / "roles" / role
    for path in [*base.glob("tasks/*.yml"), *base.glob("vars/*.yml"), *base.glob("templates/*")]:
        foreign = {name for name in names_read(path) if not name.startswith(role + "_")}
        assert not foreign, f"{path.relative_to(ROOT)} reads {sorted(foreign)}: make it an input of {role}"
    for path in base.glob("defaults/*.yml"):
        for name in names_read(path):
            owner = next(other for other in ROLES if name.startswith(other + "_"))
            assert owner == role or name in returns(owner), \
                f"{path.relative_to(ROOT)} reads {name}, which roles/{owner} does not return"


def test_the_playbooks_read_of_a_role_only_its_inputs_and_what_it_returns():
    declared = {name for role in ROLES for name in inputs(role) | returns(role)}
    for path in sorted((ROOT / "playbooks").rglob("*.yml")):
        undeclared = names_read(path) - declared
        assert not undeclared, f"{path.relative_to(ROOT)} reads {sorted(undeclared)}, which no role declares"


def test_the_checks_see_a_cross_role_read(tmp_path):
    """The reader above finds names in expressions and templates, not in option keys."""
    path = tmp_path / "tasks.yml"
    path.write_text(yaml.safe_dump([{"name": "x", "kubernetes.core.helm_info": {
        "release_name": "{{ report_release_name }}", "binary_path": "{{ prerequisites_helm_path }}"},
        "when": "release_result.changed"}]))
    assert names_read(path) == {"report_release_name", "prerequisites_helm_path", "release_result"}


def _mappings(node):
    """Every mapping in a YAML document, outermost first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _mappings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _mappings(item)


def _role_imports(node):
    """Every import_role/include_role in a YAML document: (role name, tasks_from or main)."""
    for mapping in _mappings(node):
        for key in ("ansible.builtin.import_role", "ansible.builtin.include_role"):
            if isinstance(mapping.get(key), dict):
                yield mapping[key]["name"].rsplit(".", 1)[-1], mapping[key].get("tasks_from", "main")


def test_every_entry_point_a_playbook_runs_is_validated_against_its_spec():
    """ansible-core validates an entry point's arguments only when tasks_from is the spec's key: `tasks_from:
    rollback_target.yml` runs the file without checking anything, `tasks_from: rollback_target` checks first."""
    for path in sorted((ROOT / "playbooks").rglob("*.yml")):
        for role, entry in _role_imports(yaml.safe_load(path.read_text())):
            specs = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
            assert entry in specs["argument_specs"], \
                f"{path.relative_to(ROOT)}: {role} tasks_from {entry} has no argument spec of that name"


def test_the_lock_is_held_around_work_in_one_place():
    """The block that takes the deploy lock and gives it back whatever happens (always) is written once, in
    roles/lock/tasks/around.yml: a playbook names the work it does under the lock, never the block again."""
    holders = set()
    for path in sorted((ROOT / "playbooks").rglob("*.yml")):
        document = yaml.safe_load(path.read_text())
        entries = {entry for role, entry in _role_imports(document) if role == "lock"}
        assert entries <= {"around"}, f"{path.relative_to(ROOT)}: hold the lock with tasks_from: around, not {entries}"
        always = any("always" in mapping for mapping in _mappings(document))
        assert not always, f"{path.relative_to(ROOT)}: an always block; hold the lock with lock's around"
        holders |= {path.name} if entries else set()
    assert holders == {"deploy.yml", "rollback.yml", "uninstall.yml", "backup.yml", "restore.yml"}
