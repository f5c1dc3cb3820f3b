"""helm refuses bad values before rendering anything, naming the key."""

import json
import subprocess
import sys

import pytest

from helpers.chart import CHART, render_result

COMPONENTS = ("backend", "frontend", "celery", "celeryBeat", "postgresql", "redis")


@pytest.mark.parametrize("section", COMPONENTS)
def test_unknown_key_in_a_component_section_is_refused(section):
    result = render_result({section: {"replicas": 3}})
    assert result.returncode != 0
    assert f"at '/{section}'" in result.stderr and "'replicas' not allowed" in result.stderr, result.stderr


@pytest.mark.parametrize("values,where,message", [
    ({"backend": {"replicaCount": "3"}}, "/backend/replicaCount", "got string, want integer"),
    ({"frontend": {"replicaCount": 0}}, "/frontend/replicaCount", "minimum"),
    ({"celery": {"resources": {"limits": {"memory": "1Gb"}}}}, "/celery/resources/limits/memory", "does not match"),
    ({"backend": {"image": {"digest": "md5:abc"}}}, "/backend/image/digest", "does not match"),
    ({"debug": "yes"}, "/debug", "got string, want boolean"),
    ({"ingress": {"hosts": [{"host": "Bad_Host",
                             "paths": [{"path": "/", "pathType": "Prefix", "component": "frontend"}]}]}},
     "/ingress/hosts/0/host", "does not match"),
    ({"postgresql": {"persistence": {"size": "lots"}}}, "/postgresql/persistence/size", "does not match"),
    ({"secrets": {"password": "x"}}, "/secrets", "'password' not allowed"),
])
def test_wrong_values_are_refused_with_the_path(values, where, message):
    result = render_result(values)
    assert result.returncode != 0
    assert f"at '{where}'" in result.stderr and message in result.stderr, result.stderr


def test_cross_field_errors_are_gathered_into_one_failure():
    result = render_result({
        "backend": {"autoscaling": {"enabled": True, "minReplicas": 5, "maxReplicas": 2}},
        "ingress": {"enabled": True, "tls": [{"secretName": "tls", "hosts": ["other.example.com"]}]},
    })
    assert result.returncode != 0
    assert "backend.autoscaling: minReplicas (5) is above maxReplicas (2)" in result.stderr, result.stderr
    assert "ingress.tls[0].hosts: other.example.com is not one of ingress.hosts" in result.stderr, result.stderr


def test_schema_is_generated_and_fresh():
    check = subprocess.run([sys.executable, str(CHART / "schema" / "generate.py"), "--check"],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    schema = json.loads((CHART / "values.schema.json").read_text())
    assert schema["additionalProperties"] is False
