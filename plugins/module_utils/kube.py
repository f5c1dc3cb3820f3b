# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's Kubernetes tasks share of kubernetes.core and the Kubernetes client: the API's error
type and the authentication options, for their modules and their action plugins alike."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

try:
    from kubernetes.dynamic.exceptions import DynamicApiError  # pylint: disable=unused-import  # for the tasks
except ImportError:  # reported by the caller's requirement check
    DynamicApiError = Exception

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
except ImportError:  # reported by the caller's requirement check
    AUTH_ARG_SPEC = {}

# How a task reaches the cluster: kubernetes.core's options; a task's other options are its own.
AUTH_OPTIONS = tuple(AUTH_ARG_SPEC)


def with_auth(**options):
    """An argument spec: kubernetes.core's authentication options, and the task's own."""
    spec = copy.deepcopy(AUTH_ARG_SPEC)
    spec.update(options)
    return spec


def first_line(error):
    """An error's message in one line, for a task's msg (the client's errors span many)."""
    return (str(error).strip().splitlines() or ["no message"])[0]


def api_error_line(error):
    """An error of the Kubernetes client in one line: the API's own message where it gave one."""
    return first_line(getattr(error, "summary", lambda: "")() or error)


def run_module(argument_spec, work, required_if=None):
    """A module's main(): work(module, api_client) with kubernetes.core's module and client. The action plugin of
    the same name runs the same work on the controller without a module process (plugin_utils/module_in_process.py);
    the module runs where a task is sent elsewhere, with the same arguments and outcome."""
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule

    module = AnsibleK8SModule(argument_spec=copy.deepcopy(argument_spec), supports_check_mode=True,
                              required_if=required_if)
    work(module, lambda: get_api_client(module=module))
