# -*- coding: utf-8 -*-
# Copyright: thebot platform team
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Environment policy: one table, environment -> rule -> severity (and the rule's parameters).

The rules themselves are in values_check.py; this file is data only, so that what each environment
demands can be read (and reviewed) in one place. Rules of shape live in the chart's schema and rules
across fields in its templates/validate.yaml, not here: each kind of rule has one home.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

POLICIES = {
    "prod": {
        "no_inline_secrets": {"severity": "error"},
        "resources_set": {"severity": "error"},
        "image_tag_pinned": {"severity": "error"},
        "debug_off": {"severity": "error"},
        "min_replicas": {"severity": "error", "minimum": 2},
        "ingress_tls": {"severity": "error"},
        "network_policies": {"severity": "error"},
        "disruption_budgets": {"severity": "error"},
        "storage_classes": {"severity": "error"},
        "no_demo_secrets": {"severity": "error"},
        "secrets_known": {"severity": "error"},
        "secrets_complete": {"severity": "error"},
        "credentials_url_safe": {"severity": "error"},
    },
    "staging": {
        "no_inline_secrets": {"severity": "error"},
        "resources_set": {"severity": "error"},
        "image_tag_pinned": {"severity": "error"},
        "debug_off": {"severity": "error"},
        "min_replicas": {"severity": "warning", "minimum": 2},
        "ingress_tls": {"severity": "warning"},
        "network_policies": {"severity": "error"},
        "storage_classes": {"severity": "warning"},
        "no_demo_secrets": {"severity": "warning"},
        "secrets_known": {"severity": "error"},
        "secrets_complete": {"severity": "error"},
        "credentials_url_safe": {"severity": "error"},
    },
    "dev": {
        "no_inline_secrets": {"severity": "error"},
        "resources_set": {"severity": "error"},
        "image_tag_pinned": {"severity": "warning"},
        # dev generates what its vault lacks (thebot_secrets_generate): completeness is not asked.
        "secrets_known": {"severity": "error"},
        "credentials_url_safe": {"severity": "error"},
    },
}

# Values that mark a credential as an example: the demo vault's values carry "demo".
DEMO_MARKERS = ("demo", "changeme", "change-me", "example", "password", "secret", "insecure", "test")
# Shorter generated-looking credentials are refused where no_demo_secrets applies.
MIN_SECRET_LENGTH = 16
