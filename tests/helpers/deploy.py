"""Helpers of the deploy tests: where things are, and reading what a run did."""

import json
import sys
from pathlib import Path

import yaml
from ansible.parsing.vault import VaultLib, VaultSecret

from helpers.digests import EXAMPLE_DIGESTS

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
VAULT_PASSWORD = ROOT / "inventories" / "demo-vault-password.txt"
# A prod release as an operator gives it: the tag and its images' digests (inventories/prod requires them; the
# kwok nodes pull nothing, so well-formed digests stand for the images).
PROD_RELEASE = ("-e", "thebot_image_tag=1.4.2", "-e", json.dumps({"thebot_image_digests": EXAMPLE_DIGESTS}))


def recap(result):
    line = next(line for line in result.stdout.splitlines() if line.startswith("local"))
    return {key: int(value) for key, value in (part.split("=") for part in line.split()[2:])}


def revisions(kube, namespace):
    return json.loads(kube.helm("history", "thebot", "-n", namespace, "-o", "json").stdout)


def vault_secrets(env):
    """The credentials of an inventory in clear: each value is vaulted on its own (`!vault`), not the file."""
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD.read_bytes().strip()))])

    class Loader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
        """yaml's safe loader that decrypts `!vault` scalars with the demo password."""

    Loader.add_constructor("!vault", lambda loader, node: vault.decrypt(loader.construct_scalar(node)).decode())
    path = ROOT / "inventories" / env / "group_vars" / env / "vault.yml"
    return yaml.load(path.read_text(), Loader=Loader)["thebot_secrets"]  # nosec B506 - a SafeLoader subclass
