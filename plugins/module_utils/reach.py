# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Why a Kubernetes API server could not be reached, in one line an operator can act on.

The Python client raises many kinds (urllib3's MaxRetryError wrapping an SSLError, ApiException with a
status, kubernetes.config.ConfigException, OSError...), often nested; kubernetes.core reports some as
"Value of unknown type: <class ...>". explain() walks the chain and names the cause.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.thebot.platform.plugins.module_utils.kube import with_auth

# The cluster_version task's options (its module's and its action plugin's).
CLUSTER_VERSION_ARGUMENT_SPEC = with_auth(timeout=dict(type="int", default=15))


def _chain(error):
    """The error and what it wraps (urllib3's .reason, Python's __cause__ and __context__)."""
    seen = []
    queue = [error]
    while queue:
        current = queue.pop(0)
        if current is None or any(current is s for s in seen):
            continue
        seen.append(current)
        queue.extend([getattr(current, "reason", None) if isinstance(getattr(current, "reason", None), BaseException)
                      else None, current.__cause__, current.__context__])
    return seen


def _first_line(error):
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:300]


def explain(error, context=None):
    """(cause, one line): cause is one of certificate, credentials, forbidden, context, kubeconfig,
    unreachable, unknown. context: the context asked for, named when the kubeconfig lacks it."""
    chain = _chain(error)
    names = " ".join(type(e).__name__ for e in chain)
    text = " ".join(str(e) for e in chain)
    status = next((getattr(e, "status", None) for e in chain if isinstance(getattr(e, "status", None), int)), None)
    if status == 401:
        return "credentials", ("the API server refused the credentials (401 Unauthorized): the token or client "
                               "certificate is wrong, expired or revoked")
    if status == 403:
        return "forbidden", "the API server forbids these credentials to read its version (403 Forbidden)"
    if "SSLError" in names or "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "certificate", ("the API server's certificate is not trusted by the certificate authority the "
                               "kubeconfig names (certificate verify failed): the CA is wrong or the address is "
                               "another server")
    if "ConfigException" in names or "context" in text.lower() and "kube-config" in text.lower():
        if "context" in text.lower():
            return "context", "the kubeconfig has no context %s" % (repr(str(context)) if context else "to use")
        return "kubeconfig", "the kubeconfig cannot be used (%s)" % _first_line(chain[-1])
    if isinstance(error, (IOError, OSError)) and getattr(error, "filename", None):
        return "kubeconfig", "the kubeconfig cannot be read (%s)" % _first_line(error)
    for marker, reason in (("Connection refused", "connection refused"), ("timed out", "the connection timed out"),
                           ("Name or service not known", "the host name does not resolve"),
                           ("Temporary failure in name resolution", "the host name does not resolve"),
                           ("No route to host", "no route to the host"), ("Network is unreachable", "no network")):
        if marker in text:
            return "unreachable", "nothing answers at the API server's address (%s)" % reason
    if "NewConnectionError" in names or "MaxRetryError" in names or "ConnectionError" in names:
        return "unreachable", "nothing answers at the API server's address (%s)" % _first_line(chain[-1])
    return "unknown", _first_line(error)


def read_version(params, api_client):
    """Ask the API server for GET /version: (result, failure or None). result: version and host; a failure is
    (one line, cause), result then holds the host where the client was configured. params: the task's timeout
    (seconds) and context; api_client() gives kubernetes.core's client, configured from the task's options."""
    host = None
    try:
        client = api_client()
        host = client.configuration.host
        # The API client under kubernetes.core's: the same authentication as its modules, and no cache.
        import kubernetes.client

        answer = kubernetes.client.VersionApi(client.client.client).get_code(_request_timeout=params["timeout"])
    except Exception as error:  # pylint: disable=broad-except  # every kind means "not reached"; explain() sorts them
        cause, line = explain(error, params.get("context"))
        return ({"host": host} if host else {}), (line, cause)
    version = {"gitVersion": answer.git_version, "major": answer.major, "minor": answer.minor,
               "platform": answer.platform}
    return {"version": version, "host": host}, None


def cluster_version(module, api_client):
    """The cluster_version task, for its module and its action plugin (a stand-in with params, warn, exit_json
    and fail_json, which do not return)."""
    result, failure = read_version(module.params, api_client)
    if failure:
        module.fail_json(msg=failure[0], cause=failure[1], **result)
    module.exit_json(changed=False, **result)
