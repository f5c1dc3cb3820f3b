#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: credentials_secret
author: thebot platform team (@thebot-platform)
version_added: "0.3.0"
short_description: Decide THE_BOT's credentials and write the Secret its apps read, in one pass
description:
  - Reads the Secret, decides each credential of I(credentials) and writes the Secret when its data or labels
    differ, replacing it whole (a key the list no longer has goes too). Each credential is the cluster's if the
    Secret holds it, else the vault's (I(values)), else generated (40 letters and digits) when its vault key is in
    I(generate). A value the cluster holds is replaced by the vault's only with I(rotate).
  - A credential the database volume was initialised with (C(data) true in the list) that the Secret lacks, while
    the release's PostgreSQL volume still exists, is never written unless I(rotate) is true, since other credentials
    would lock the apps out of their data. Nor is anything written when a credential THE_BOT needs has no value.
    Either way the task returns C(refused), the reason, and writes nothing. It does not fail itself. A task that
    sees credentials runs with C(no_log), which hides even a failure's message, so the task after it says why
    (the role thebot.platform.secrets does).
  - Its action plugin does this in ansible-playbook's process with the client kubernetes.core keeps there, in
    place of the read, the decision and the write as separate tasks (bench/README.md says what each cost).
options:
  name:
    description: The Secret's name.
    type: str
    required: true
  namespace:
    description: The Secret's namespace. It must exist, except in check mode.
    type: str
    required: true
  credentials:
    description:
      - The credentials, as the chart's C(files/credentials.yaml) lists them. Each has C(key), the key in the
        Secret, and C(vault), its key in I(values). C(data) true marks one the database volume is initialised
        with. C(optional), when present, one THE_BOT runs without.
    type: list
    elements: dict
    required: true
  values:
    description: The vault's credentials, by vault key. Vaulted strings are decrypted here, on the controller.
    type: dict
    default: {}
  generate:
    description: Vault keys generated when neither the cluster nor the vault has a value; once written, kept.
    type: list
    elements: str
    default: []
  rotate:
    description:
      - Replace the cluster's values with the vault's, and write credentials even over a database volume that
        outlived the Secret.
      - PostgreSQL reads its password only when its volume is first initialised, so change it there (ALTER ROLE)
        first.
    type: bool
    default: false
  release_name:
    description: The release whose PostgreSQL volume (labels C(app.kubernetes.io/instance), C(component=postgresql))
      depends on the credentials.
    type: str
    required: true
  labels:
    description: Labels of the Secret. A Secret lacking one of them is written again.
    type: dict
    default: {}
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
  - thebot.platform.cluster
attributes:
  check_mode:
    support: full
    description: Reads, decides and reports what it would write (C(changed), C(action)); writes nothing.
  diff_mode:
    support: none
    description: The Secret's data is credentials, so no diff is shown.
notes:
  - Run it with C(no_log), since its arguments hold credentials. Its result holds none, only a checksum of the data.
seealso:
  - module: kubernetes.core.k8s
"""

EXAMPLES = r"""
- name: Write the credentials Secret (no_log - its arguments hold them)
  thebot.platform.credentials_secret:
    name: thebot-credentials
    namespace: thebot-prod
    credentials: "{{ lookup('ansible.builtin.file', 'charts/thebot/files/credentials.yaml') | from_yaml }}"
    values: "{{ thebot_secrets }}"
    release_name: thebot
    labels:
      app.kubernetes.io/component: credentials
  register: credentials
  no_log: true

- name: Say why no credential was written
  ansible.builtin.fail:
    msg: "{{ credentials.refused }}"
  when: credentials.refused
"""

RETURN = r"""
refused:
  description: Why nothing was written (a Secret lost under its database volume, a credential without a value);
    empty when the Secret holds the credentials decided.
  returned: always
  type: str
action:
  description: What was done, or in check mode would be, to the Secret.
  returned: always
  type: str
  choices: [created, replaced, unchanged]
kept:
  description: Vault keys whose value in the cluster was kept although the vault holds another (no I(rotate)).
  returned: always
  type: list
  elements: str
checksum:
  description: sha256 of the Secret's data (its JSON, keys sorted), for a pod annotation that rolls the pods
    when a credential changes; empty when refused.
  returned: always
  type: str
credentials:
  description: How many credentials the Secret holds.
  returned: always
  type: int
namespace_exists:
  description: False only in check mode, when the namespace the Secret would be created in does not exist yet.
  returned: always
  type: bool
"""

from ansible_collections.thebot.platform.plugins.module_utils.credentials import ARGUMENT_SPEC, run
from ansible_collections.thebot.platform.plugins.module_utils.kube import run_module


def main():
    run_module(ARGUMENT_SPEC, run)


if __name__ == "__main__":
    main()
