#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: validate_values
author: thebot platform team (@thebot-platform)
version_added: "0.1.0"
short_description: Check THE_BOT chart values against the chart's schema and an environment's policy
description:
  - Merges the values over the chart's defaults, validates them against the chart's
    C(values.schema.json) (the checks helm would make), then applies the environment's policy table.
  - Returns every finding at once, each with the field path, the rule, the message and the fix, and
    fails when any finding is an error. It never contacts a cluster, so bad input is refused before
    anything is written.
  - Without I(values), I(chart_path) and I(environment) (given together or not at all), only the run's
    settings (I(names), I(durations), I(digests)) are checked, for a run that deploys no values (a rollback, an
    uninstall).
options:
  values:
    description:
      - Chart values for the release (environment, cluster host and extra vars already merged).
      - Given with I(chart_path) and I(environment); without them, only the run's settings are checked.
    type: dict
  chart_path:
    description: Directory of the chart; its C(values.yaml) and C(values.schema.json) are read.
    type: path
  environment:
    description: Environment whose policy applies (a key of the built-in table, unless I(policy) is given).
    type: str
  policy:
    description:
      - Rules to apply instead of the built-in table's entry for I(environment), as a mapping from rule
        name to its settings, C(severity) (error or warning) and the rule's parameters.
    type: dict
  secrets:
    description: The credentials about to be written, checked by the C(no_demo_secrets) rule. Never returned.
    type: dict
  require_digests:
    description:
      - Refuse every image named by tag alone (the C(image_digests) rule, an error), whatever the environment's
        table says. A tag can be moved to other bytes after review; a digest cannot.
      - An image the chart resolves from the backend's (celery, celery-beat and the jobs, when they name no
        image of their own) is pinned by the backend's digest.
    type: bool
    default: false
  names:
    description:
      - Names the run gives Kubernetes and helm, as I(variable name) -> value. Each must be a DNS-1123 label of at
        most 53 characters (helm's limit for a release name); a finding names the variable.
      - Checked, with I(durations) and I(digests), before the values, which are built from them; where one of
        them is wrong, only those findings are told.
    type: dict
    default: {}
    version_added: "0.3.0"
  durations:
    description: Durations given to helm, as I(variable name) -> value, in Go's form (C(10m), C(90s), C(1h30m)).
    type: dict
    default: {}
    version_added: "0.3.0"
  digests:
    description:
      - Image digests as the operator gave them, as I(variable name) -> value. Each value must map components
        (backend, frontend, celery, celeryBeat, postgresql, redis) to C(sha256:<64 lower-case hex digits>).
    type: dict
    default: {}
    version_added: "0.3.0"
  fail_on:
    description: The lowest severity that fails the task.
    type: str
    choices: [error, warning]
    default: error
requirements:
  - jsonschema
attributes:
  action:
    support: full
    description:
      - An action plugin of the same name runs the checks in ansible-playbook's own process, on the controller
        (where the chart is), so a run pays no module process for them; the outcome is the module's.
  check_mode:
    support: full
    description: Reports what it would do and changes nothing.
"""

EXAMPLES = r"""
- name: Refuse bad values before any cluster call
  thebot.platform.validate_values:
    values: "{{ thebot_chart_values }}"
    chart_path: "{{ playbook_dir }}/../charts/thebot"
    environment: prod
    secrets: "{{ thebot_secrets }}"
  delegate_to: localhost
  no_log: false  # findings never contain secret values, only the keys that failed

- name: Check only a rollback's own settings (it deploys no values)
  thebot.platform.validate_values:
    names:
      thebot_namespace: "{{ thebot_namespace }}"
    durations:
      thebot_helm_timeout: "{{ thebot_helm_timeout }}"
  delegate_to: localhost
"""

RETURN = r"""
findings:
  description: Every finding, errors and warnings, in the order checked.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: Dotted path of the field, e.g. backend.resources.requests.cpu.
      type: str
    rule:
      description: The schema keyword (schema.*) or policy rule that failed.
      type: str
    severity:
      description: error or warning.
      type: str
    message:
      description: What is wrong.
      type: str
    fix:
      description: What to do.
      type: str
error_count:
  description: Number of findings of severity error.
  returned: always
  type: int
warning_count:
  description: Number of findings of severity warning.
  returned: always
  type: int
"""

import importlib.util

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

# values_check imports jsonschema where it validates; here only its presence is checked.
HAS_JSONSCHEMA = importlib.util.find_spec("jsonschema") is not None
HAS_YAML = importlib.util.find_spec("yaml") is not None

from ansible_collections.thebot.platform.plugins.module_utils.values_check import (
    ARGUMENT_SPEC, REQUIRED_TOGETHER, ChartUnreadable, validate)


def main():
    # The action plugin of the same name runs this on the controller without a module process; this module
    # runs where a task is sent elsewhere, with the same arguments and outcome.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, required_together=REQUIRED_TOGETHER, supports_check_mode=True)
    # Every value masked until the chart says which are public (a name such as the database user's).
    given = module.params["secrets"] or {}
    module.no_log_values.update(str(value) for value in given.values() if value not in (None, ""))
    if not HAS_JSONSCHEMA:
        module.fail_json(msg=missing_required_lib("jsonschema"))
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"))
    try:
        result, warnings, failure, secrets = validate(module.params)
    except ChartUnreadable as error:
        module.fail_json(msg=str(error))
    # The public ones (a user name) shown again, unless a secret has the same value.
    module.no_log_values.difference_update(str(value) for value in given.values() if str(value) not in secrets)
    for warning in warnings:
        module.warn(warning)
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
