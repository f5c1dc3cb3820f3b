# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's code in ansible-playbook's own process: the base of the collection's Kubernetes action plugins.

A module that makes one or two API calls costs a Python process of its own that imports the Kubernetes client
again (0.5-0.9 s each, bench/results/2026-11-24-vm/profile.md). Where the module's work is a function of a
`module` (params, check_mode, warn(), exit_json() and fail_json(), which do not return) and a client factory, an
action plugin of the same name runs that function here with a stand-in for the module: same options (validated
by the same spec), same check mode, same result and warnings. The module stays, for ansible-doc and for a task
sent to another host.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import functools
import importlib.util

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.thebot.platform.plugins.module_utils.kube import AUTH_OPTIONS


class _Done(Exception):
    """The module's work ended by exit_json or fail_json."""

    def __init__(self, result):
        super(_Done, self).__init__()
        self.result = result


class ModuleStandIn(object):
    """What the modules' shared code uses of an AnsibleModule."""

    def __init__(self, params, check_mode):
        self.params = params
        self.check_mode = check_mode
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **result):
        raise _Done(result)

    def fail_json(self, **result):
        raise _Done(dict(result, failed=True))


def run_work(work, module, api_client):
    """The result of work(module, api_client), a module's work ended by exit_json or fail_json, with its warnings."""
    result = None
    try:
        work(module, api_client)
    except _Done as done:
        result = dict(done.result)
    if result is None:
        raise AnsibleActionFail("the task ended without a result")
    result.setdefault("changed", False)
    if module.warnings:
        result["warnings"] = module.warnings
    return result


class KubernetesModuleAction(ActionBase):
    """Subclasses name the module (NAME), give its ARGUMENT_SPEC (kubernetes.core's authentication options and
    their own, module_utils.kube.with_auth), REQUIRED_IF, and the work: work(module, api_client). Without a
    cluster (CLUSTER false: helm's own calls) the work gets api_client None and needs no Kubernetes client."""

    TRANSFERS_FILES = False
    _supports_check_mode = True  # each module's work honours check_mode as the module did
    NAME = ""
    ARGUMENT_SPEC = {}
    REQUIRED_IF = None
    CLUSTER = True

    def work(self, module, api_client):
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super(KubernetesModuleAction, self).run(tmp, task_vars)
        del tmp  # nothing is sent to a host
        if self.CLUSTER and (not AUTH_OPTIONS or importlib.util.find_spec("kubernetes") is None):
            raise AnsibleActionFail("thebot.platform.%s needs the collection kubernetes.core and the Python library "
                                    "kubernetes on the controller (the collection's requirements)" % self.NAME)
        dummy, params = self.validate_argument_spec(argument_spec=copy.deepcopy(self.ARGUMENT_SPEC),
                                                    required_if=self.REQUIRED_IF)
        module = ModuleStandIn(params, bool(self._task.check_mode))
        api_client = None
        if self.CLUSTER:
            from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client

            auth = dict((key, value) for key, value in params.items() if key in AUTH_OPTIONS)
            api_client = functools.partial(get_api_client, **auth)
        result.update(run_work(self.work, module, api_client))
        return result


def module_action(name, argument_spec, work, required_if=None, cluster=True):
    """The ActionModule of an action plugin that runs work(module, api_client) for the module `name`; with
    cluster=False, work(module, None) (no Kubernetes client: helm's own calls)."""
    def run_module_work(self, module, api_client):  # pylint: disable=unused-argument
        work(module, api_client)

    return type("ActionModule", (KubernetesModuleAction,),
                dict(NAME=name, ARGUMENT_SPEC=argument_spec, REQUIRED_IF=required_if, CLUSTER=cluster,
                     work=run_module_work))
