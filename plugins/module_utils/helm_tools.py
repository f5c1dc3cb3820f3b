# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""helm run from the controller: the helm_version and helm_template tasks (module or action), and chart values as
helm is given them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import subprocess

try:
    import yaml
except ImportError:  # ansible-core depends on PyYAML
    yaml = None


def values_yaml(values):
    """Chart values as helm is given them: YAML written by PyYAML, as kubernetes.core.helm writes them (so a string
    such as "y", which helm's YAML 1.1 reader takes for a boolean, reaches helm as it would in a deploy), from
    plain types (a task's strings may be Ansible's own)."""
    return yaml.safe_dump(json.loads(json.dumps(values, default=str)), default_flow_style=False)


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
    rc, helm = _run([params["helm_binary"], "version", "--template", "{{ .Version }}"], env, params["timeout"])
    if rc != 0:
        module.fail_json(msg="cannot run helm %s: %s" % (params["helm_binary"], helm or "exit %s" % rc))
    rc, diff = _run([params["helm_binary"], "diff", "version"], env, params["timeout"])
    module.exit_json(changed=False, helm=helm, diff=diff if rc == 0 else None)


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
