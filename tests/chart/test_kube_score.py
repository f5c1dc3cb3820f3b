"""kube-score, a checker we did not write, on the render of every environment's values.

Every CRITICAL finding fails the test unless tests/chart/kube-score-accepted.yml accepts it, with its reason;
an acceptance that no longer matches anything fails too, so the file stays the list of what is true today.
kube-score is built from the Go module proxy at the version pinned in tests/testbed/gomod/kube-score.
"""

import json
import subprocess
from pathlib import Path

import pytest

import testbed
from helpers.accepted import Accepted
from helpers.chart import ENVIRONMENTS, KUBE_VERSION, release_values, render_result

ACCEPTED = Accepted(Path(__file__).parent / "kube-score-accepted.yml")
CRITICAL = 1  # kube-score's grade of a CRITICAL finding


@pytest.fixture(scope="module")
def findings():
    """Each environment's CRITICAL findings, scored once for the tests below."""
    kube_score = str(testbed.build_tool(testbed.KUBE_SCORE) / "kube-score")
    return {env: critical_findings(kube_score, env) for env in ENVIRONMENTS}


def critical_findings(kube_score, env):
    """{(check id, component, container or '', summary)} of one environment's render, as a release deploys it."""
    render = render_result(release_values(env), api_versions=("monitoring.coreos.com/v1",))
    assert render.returncode == 0, render.stderr
    minor = KUBE_VERSION.lstrip("v").split(".")[:2]
    result = subprocess.run([kube_score, "score", "--kubernetes-version", "v" + ".".join(minor),
                             "--output-format", "json", "-"], input=render.stdout, capture_output=True, text=True,
                            check=False)
    # kube-score exits 1 when it finds a CRITICAL: the JSON is what counts.
    assert result.returncode in (0, 1) and result.stdout.startswith("["), result.stderr
    found = set()
    for obj in json.loads(result.stdout):
        component = obj["object_meta"].get("labels", {}).get("app.kubernetes.io/component", "")
        for check in obj["checks"]:
            if check["grade"] == CRITICAL and not check["skipped"]:
                for comment in check["comments"] or [{"path": "", "summary": check["check"]["name"]}]:
                    found.add((check["check"]["id"], component, comment["path"], comment["summary"]))
    return found


def test_every_acceptance_has_a_reason_and_known_environments():
    assert not ACCEPTED.problems()


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_critical_finding_that_is_not_accepted(findings, env):
    unaccepted = ACCEPTED.unaccepted({env: findings[env]})
    assert not unaccepted, "\n".join(f"{env}: {check} on {component} ({path}): {summary}"
                                     for env, (check, component, path, summary) in unaccepted)


def test_every_acceptance_still_matches_a_finding(findings):
    stale = ACCEPTED.stale(findings)
    assert not stale, f"accepted but no longer found, remove from kube-score-accepted.yml: {stale}"
