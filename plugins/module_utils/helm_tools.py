# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""helm run from the controller: the helm_version, helm_template and helm_rollback tasks (module or action), how
helm reaches the cluster, and chart values as helm is given them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.thebot.platform.plugins.module_utils.helm_release import RELEASE_ARGS
from ansible_collections.thebot.platform.plugins.module_utils.kube import with_auth

try:
    import yaml
except ImportError:  # ansible-core depends on PyYAML
    yaml = None


def values_yaml(values):
    """Chart values as helm is given them: YAML written by PyYAML, as kubernetes.core.helm writes them (so a string
    such as "y", which helm's YAML 1.1 reader takes for a boolean, reaches helm as it would in a deploy), from
    plain types (a task's strings may be Ansible's own)."""
    return yaml.safe_dump(json.loads(json.dumps(values, default=str)), default_flow_style=False)


_FALSE = ("false", "no", "0", "off")


def helm_environment(params, helm_plugins):
    """helm's settings for the cluster, by environment (never argv, which ansible prints with -v), from a task's
    kubernetes.core options (the playbooks' thebot_auth): its kubeconfig and context; or, with no kubeconfig, its
    host, token and CA, each else the K8S_AUTH_* variable kubernetes.core itself would read (AWX's bearer-token
    credential sets them, and no kubeconfig exists there). The one rule for every helm call of the collection
    that reaches a cluster (helm diff, helm rollback), as kubernetes.core's client applies it to the modules."""
    env = dict((key, value) for key, value in os.environ.items() if not key.startswith("HELM_DIFF_"))
    if helm_plugins:
        env["HELM_PLUGINS"] = helm_plugins
    kubeconfig = params.get("kubeconfig")
    if isinstance(kubeconfig, str) and kubeconfig:
        env["KUBECONFIG"] = os.path.expanduser(kubeconfig)
    if params.get("context"):
        env["HELM_KUBECONTEXT"] = params["context"]
    if not kubeconfig:
        for helm_name, option, variable in (("HELM_KUBEAPISERVER", "host", "K8S_AUTH_HOST"),
                                            ("HELM_KUBETOKEN", "api_key", "K8S_AUTH_API_KEY"),
                                            ("HELM_KUBECAFILE", "ca_cert", "K8S_AUTH_SSL_CA_CERT")):
            value = params.get(option) or os.environ.get(variable)
            if value:
                env[helm_name] = value
        verify = params.get("validate_certs")
        if verify is None:
            verify = os.environ.get("K8S_AUTH_VERIFY_SSL", "true").strip().lower() not in _FALSE
        if verify is False:
            env["HELM_KUBEINSECURE_SKIP_TLS_VERIFY"] = "true"
    return env


HELM_VERSION_ARGUMENT_SPEC = dict(
    helm_binary=dict(type="path", required=True),
    helm_plugins=dict(type="path"),
    timeout=dict(type="int", default=30))


def _run(argv, env, timeout):
    """(rc, first line of stdout or stderr) of a helm call; rc None when it could not start."""
    try:
        process = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                                 check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return None, str(error)
    text = (process.stdout or process.stderr).decode("utf-8", "replace").strip()
    return process.returncode, (text.splitlines() or [""])[0]


def helm_version(module, api_client=None):  # pylint: disable=unused-argument  # no cluster: the tasks' shape
    """The helm_version task, for its module and its action plugin. Reads only, in check mode too."""
    params = module.params
    env = dict(os.environ)
    if params["helm_plugins"]:
        env["HELM_PLUGINS"] = params["helm_plugins"]
    # Both at once: each is a helm start-up (0.08-0.11 s), and neither needs the other's answer.
    with ThreadPoolExecutor(max_workers=2) as pool:
        calls = [pool.submit(_run, [params["helm_binary"]] + args, env, params["timeout"])
                 for args in (["version", "--template", "{{ .Version }}"], ["diff", "version"])]
        (rc, helm), (diff_rc, diff) = [call.result() for call in calls]
    if rc != 0:
        module.fail_json(msg="cannot run helm %s: %s" % (params["helm_binary"], helm or "exit %s" % rc))
    module.exit_json(changed=False, helm=helm, diff=diff if diff_rc == 0 else None)


HELM_TEMPLATE_ARGUMENT_SPEC = dict(
    helm_binary=dict(type="path", required=True),
    chart_path=dict(type="path", required=True),
    release_name=dict(type="str", required=True),
    release_namespace=dict(type="str", required=True),
    release_values=dict(type="dict", default={}),
    kube_version=dict(type="str", required=True),
    timeout=dict(type="int", default=120))


def helm_template(module, api_client=None):  # pylint: disable=unused-argument  # offline: no cluster
    """The helm_template task, for its module and its action plugin: the chart rendered offline with these values,
    as `helm template` on the command line; its outcome as ansible.builtin.command's (rc, stderr_lines), not a
    failure, since the caller reads the chart's refusals from it. Writes nothing, in check mode too."""
    params = module.params
    argv = [params["helm_binary"], "template", params["release_name"], params["chart_path"],
            "--namespace", params["release_namespace"], "--values", "-", "--kube-version", params["kube_version"]]
    # A value helm would read otherwise than meant is then refused here, not by helm after the run has written.
    try:
        process = subprocess.run(argv, input=values_yaml(params["release_values"]).encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 timeout=params["timeout"], check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        module.fail_json(msg="cannot run helm %s: %s" % (params["helm_binary"], error))
    stderr = process.stderr.decode("utf-8", "replace")
    module.exit_json(changed=False, rc=process.returncode, stderr=stderr, stderr_lines=stderr.splitlines(),
                     manifest_bytes=len(process.stdout))


HELM_ROLLBACK_ARGUMENT_SPEC = with_auth(
    helm_binary=dict(type="path", required=True),
    helm_plugins=dict(type="path"),
    revision=dict(type="int", required=True),
    wait_timeout=dict(type="str", default="10m"),
    history_max=dict(type="int", default=10),
    **RELEASE_ARGS)


def helm_rollback(module, api_client=None):  # pylint: disable=unused-argument  # helm reaches the cluster itself
    """The helm_rollback task, for its module and its action plugin: `helm rollback --wait` of the release to a
    revision, reaching the cluster by helm_environment(). kubernetes.core has no rollback. In check mode nothing
    runs and the result says what would."""
    params = module.params
    name, namespace, revision = params["release_name"], params["release_namespace"], params["revision"]
    if revision < 1:
        module.fail_json(msg="revision must be 1 or more (helm history %s --namespace %s lists them), not %d"
                             % (name, namespace, revision))
    argv = [params["helm_binary"], "rollback", name, str(revision), "--namespace", namespace, "--wait",
            "--timeout", params["wait_timeout"], "--history-max", str(params["history_max"])]
    if module.check_mode:
        module.exit_json(changed=True, revision=revision,
                         msg="would roll %s back to revision %d" % (name, revision))
    try:
        process = subprocess.run(argv, env=helm_environment(params, params["helm_plugins"]), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, check=False)
    except OSError as error:
        module.fail_json(msg="cannot run helm %s: %s" % (params["helm_binary"], error))
    stdout = process.stdout.decode("utf-8", "replace")
    stderr = process.stderr.decode("utf-8", "replace")
    if process.returncode != 0:
        reason = (stderr.strip().splitlines() or ["exit %d" % process.returncode])[-1]
        module.fail_json(msg="helm rollback of release %s in namespace %s to revision %d failed: %s"
                             % (name, namespace, revision, reason),
                         rc=process.returncode, stdout=stdout, stderr=stderr, revision=revision)
    module.exit_json(changed=True, rc=0, stdout=stdout, stderr=stderr, revision=revision,
                     msg=stdout.strip() or "rolled %s back to revision %d" % (name, revision))
