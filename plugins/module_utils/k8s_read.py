# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The k8s_read task, module or action: read objects as kubernetes.core.k8s_info does (same options for what it
reads, same `resources`), for the roles' reads on every run (the namespace, the credentials Secret, the
Deployments' rollout). Its action plugin reads from ansible-playbook's process with the client kubernetes.core
keeps there, instead of a module process that imports the Kubernetes client again (0.5-1.5 s each)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.thebot.platform.plugins.module_utils.kube import DynamicApiError, api_error_line, with_auth

K8S_READ_ARGUMENT_SPEC = with_auth(
    api_version=dict(type="str", default="v1", aliases=["api", "version"]),
    kind=dict(type="str", required=True),
    name=dict(type="str"),
    namespace=dict(type="str"),
    label_selectors=dict(type="list", elements="str", default=[]),
    field_selectors=dict(type="list", elements="str", default=[]))


def read(client, params):
    """The objects asked for, as dicts: [] when none (a name that does not exist included)."""
    resource = client.resource(params["kind"], params["api_version"])
    namespace = params["namespace"] if resource.namespaced else None
    try:
        found = resource.get(name=params["name"], namespace=namespace,
                             label_selector=",".join(params["label_selectors"]) or None,
                             field_selector=",".join(params["field_selectors"]) or None).to_dict()
    except DynamicApiError as error:
        if getattr(error, "status", None) == 404:
            return []
        raise
    return found.get("items", []) if params["name"] is None else [found]


def k8s_read(module, api_client):
    """The k8s_read task, for its module and its action plugin. Reads only, in check mode too."""
    params = module.params
    what = "%s %s%s" % (params["kind"], params["name"] or "objects",
                        " in namespace %s" % params["namespace"] if params["namespace"] else "")
    try:
        resources = read(api_client(), params)
    except Exception as error:  # pylint: disable=broad-except  # the client raises many kinds; one meaning
        module.fail_json(msg="cannot read %s: %s" % (what, api_error_line(error)))
    module.exit_json(changed=False, resources=resources, api_found=True)
