# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The helm_version task, module or action: the versions of a helm binary and of its helm-diff plugin, read in
one task (two helm processes, no module process when run by the action plugin)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess

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
    import json  # pylint: disable=import-outside-toplevel
    import yaml  # pylint: disable=import-outside-toplevel

    params = module.params
    argv = [params["helm_binary"], "template", params["release_name"], params["chart_path"],
            "--namespace", params["release_namespace"], "--values", "-", "--kube-version", params["kube_version"]]
    # As YAML, the way kubernetes.core.helm hands values to helm (PyYAML): a string such as "y" that helm's YAML
    # 1.1 reader takes for a boolean is then refused here, not by helm after the run has written.
    values = yaml.safe_dump(json.loads(json.dumps(params["release_values"], default=str)), default_flow_style=False)
    try:
        process = subprocess.run(argv, input=values.encode(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 timeout=params["timeout"], check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        module.fail_json(msg="cannot run helm %s: %s" % (params["helm_binary"], error))
    stderr = process.stderr.decode("utf-8", "replace")
    module.exit_json(changed=False, rc=process.returncode, stderr=stderr, stderr_lines=stderr.splitlines(),
                     manifest_bytes=len(process.stdout))
