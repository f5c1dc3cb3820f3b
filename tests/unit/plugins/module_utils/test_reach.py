"""One line naming the cause, for each way the client fails to reach an API server (errors as it raises them)."""

import ssl

import pytest
import urllib3
from kubernetes.client.exceptions import ApiException
from kubernetes.config import ConfigException

from ansible_collections.thebot.platform.plugins.module_utils.reach import explain


def wrapped(reason):
    """urllib3's MaxRetryError around its reason, as the client raises it."""
    return urllib3.exceptions.MaxRetryError(None, "/version", reason=reason)


@pytest.mark.parametrize("error,cause,text", [
    (wrapped(urllib3.exceptions.SSLError(ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate"))),
     "certificate", "certificate verify failed"),
    (ApiException(status=401, reason="Unauthorized"), "credentials", "401 Unauthorized"),
    (ApiException(status=403, reason="Forbidden"), "forbidden", "403 Forbidden"),
    (ConfigException("Invalid kube-config file. Expected object with name prod in kube-config/contexts list"),
     "context", "no context 'prod'"),
    (ConfigException("Invalid kube-config file. No configuration found."), "kubeconfig", "cannot be used"),
    (wrapped(urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] "
                                                         "Connection refused")), "unreachable", "connection refused"),
    (wrapped(urllib3.exceptions.ConnectTimeoutError(None, "Connection to 10.0.0.1 timed out")), "unreachable",
     "timed out"),
    (wrapped(urllib3.exceptions.NameResolutionError("api.example", None, OSError("Name or service not known"))),
     "unreachable", "does not resolve"),
    (ValueError("something new"), "unknown", "something new"),
])
def test_each_failure_is_named(error, cause, text):
    found, line = explain(error, context="prod")
    assert found == cause and text in line and "\n" not in line, line


def test_a_cause_deep_in_the_chain_is_found():
    try:
        try:
            raise ssl.SSLCertVerificationError(1, "certificate verify failed")
        except ssl.SSLError as inner:
            raise RuntimeError("Value of unknown type: <class 'urllib3.exceptions.SSLError'>") from inner
    except RuntimeError as outer:
        assert explain(outer)[0] == "certificate"
