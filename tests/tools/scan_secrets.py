"""Scan every log the test suite wrote for every credential it knows: zero hits, or exit 1.

    python tests/tools/scan_secrets.py [LOG_DIR]     (default: $THEBOT_TEST_LOGS or .test-logs)

The credentials: every value of the three inventories' vaults (opened with the demo password) and those
the tests registered in LOG_DIR/secrets*.txt (generated in the cluster, or made up for staging and prod): one
file per writer (secrets.txt for pytest, secrets-<scenario>.txt for a molecule scenario), since the suites run
side by side and an append can be lost to a rewrite of the same file.
A hit prints the file and the credential's name, never the credential.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.deploy import vault_secrets  # noqa: E402  (needs ansible: run with the suite's virtualenv)

REGISTRY = "secrets*.txt"
NOT_SECRET = {"postgres_user"}  # a user name (and the chart's name), not a credential


def known_secrets(log_dir):
    secrets = {f"{env} vault {key}": value for env in ("dev", "staging", "prod")
               for key, value in vault_secrets(env).items() if key not in NOT_SECRET and value}
    for registry in sorted(log_dir.glob(REGISTRY)):
        for number, line in enumerate(registry.read_text().splitlines(), 1):
            if line.strip():
                secrets[f"credential #{number} of {registry.name}"] = line.strip()
    return secrets


def logs_of(log_dir):
    """Every file the suite wrote but the registries."""
    registries = set(log_dir.glob(REGISTRY))
    return sorted(p for p in log_dir.rglob("*") if p.is_file() and p not in registries)


def scan(log_dir, secrets):
    """[(log file, credential name)] for every credential found in a log."""
    hits = []
    for path in logs_of(log_dir):
        text = path.read_text(errors="replace")
        hits += [(path, name) for name, value in secrets.items() if value in text]
    return hits


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    log_dir = Path(argv[0] if argv else os.environ.get("THEBOT_TEST_LOGS", ROOT / ".test-logs"))
    logs = logs_of(log_dir) if log_dir.is_dir() else []
    if not logs:
        print(f"scan_secrets: no log in {log_dir}: nothing was scanned, which proves nothing", file=sys.stderr)
        return 2
    secrets = known_secrets(log_dir)
    hits = scan(log_dir, secrets)
    size = sum(p.stat().st_size for p in logs)
    print(f"scan_secrets: {len(logs)} logs ({size / 2**20:.1f} MiB) scanned for {len(secrets)} credentials: "
          f"{len(hits)} hit(s)")
    for path, name in hits:
        print(f"  {name} in {path}")
    return 1 if hits else 0


if __name__ == "__main__":
    sys.exit(main())
