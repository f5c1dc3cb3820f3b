"""Findings of a checker we did not write that we accept, read from a reviewed file with a reason for each.

A file holds `accepted:`, a list of {check, components, environments (all when absent), reason}. A finding is
accepted when an entry names its check, its component (app.kubernetes.io/component) and its environment; an
entry that accepts nothing any more is stale, so the file stays the list of what is true today.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers.chart import ENVIRONMENTS


class Accepted:
    """The acceptances of one file."""

    def __init__(self, path: Path):
        self.path = path
        self.entries = yaml.safe_load(path.read_text())["accepted"]

    def accepting(self, check: str, component: str, env: str) -> list:
        return [a for a in self.entries if a["check"] == check and component in a["components"]
                and env in a.get("environments", ENVIRONMENTS)]

    def problems(self) -> list:
        """Entries without a reason of a sentence or with an unknown environment."""
        return [a["check"] for a in self.entries
                if len(a["reason"].split()) < 8 or not set(a.get("environments", ENVIRONMENTS)) <= set(ENVIRONMENTS)]

    def unaccepted(self, findings: dict) -> list:
        """findings: env -> {(check, component, ...)}; those no entry accepts, as (env, finding)."""
        return sorted((env, f) for env, found in findings.items() for f in found if not self.accepting(f[0], f[1], env))

    def stale(self, findings: dict) -> list:
        """(check, component, env) of each entry that accepts nothing in findings."""
        used = {(a["check"], f[1], env) for env, found in findings.items() for f in found
                for a in self.accepting(f[0], f[1], env)}
        return [(a["check"], component, env) for a in self.entries for component in a["components"]
                for env in a.get("environments", ENVIRONMENTS) if (a["check"], component, env) not in used]
