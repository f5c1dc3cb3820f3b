"""helm lint --strict, and every render valid against the API schemas of two Kubernetes minors."""

import kubernetes_validate
import pytest
import yaml

from helpers.chart import CHART, env_values, helm, render

# Two minors: the test bed's (1.36) and the one before it, the oldest most clusters still run.
MINORS = ("1.35", "1.36")


def test_helm_lint_strict_with_defaults():
    result = helm("lint", "--strict", str(CHART))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout, result.stdout


def test_helm_lint_strict_with_each_environment(env, tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump(env_values(env)))
    result = helm("lint", "--strict", str(CHART), "-f", str(values))
    assert result.returncode == 0 and "[WARNING]" not in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("minor", MINORS)
def test_renders_validate_strictly(rendered, env, minor):
    errors = []
    for obj in rendered:
        try:
            kubernetes_validate.validate(obj, minor, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {error.message} at {list(error.path)}")
    assert not errors, f"{env} against {minor}:\n" + "\n".join(errors)


def test_strict_validation_can_fail():
    """The check above is not vacuous: an unknown field in a Deployment is caught."""
    deployment = render().get("Deployment", "backend")
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContex"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, MINORS[-1], strict=True)
