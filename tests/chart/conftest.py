"""Fixtures of the chart tests: the pinned helm, and each environment's render."""

import pytest

import testbed
from helpers.chart import ENVIRONMENTS, Rendered, env_values, render


@pytest.fixture(scope="session", autouse=True)
def _tools():
    """helm comes from the test bed's cache; building is a no-op once it is there."""
    testbed.build()


@pytest.fixture(scope="session", params=ENVIRONMENTS)
def env(request):
    return request.param


@pytest.fixture(scope="session")
def rendered(env) -> Rendered:
    return render(env_values(env))
