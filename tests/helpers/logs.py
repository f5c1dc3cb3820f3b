"""Every output the suite's tools print, kept in one folder for the secret scan (tests/tools/scan_secrets.py).

THEBOT_TEST_LOGS names the folder (make test empties it first); by default .test-logs in the repository.
"""

import itertools
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOGS = Path(os.environ.get("THEBOT_TEST_LOGS", ROOT / ".test-logs"))
_COUNTER = itertools.count(1)


def log_output(what, text):
    """Keep one tool's output: `what` names the command (file name), `text` is all it printed."""
    LOGS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", what).strip("-")[:80]
    (LOGS / f"{os.getpid()}-{next(_COUNTER):04d}-{name}.log").write_text(text)


def register_secrets(values):
    """Credentials a test made or read, for the suite-wide scan to look for (kept beside the logs)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / "secrets.txt").open("a") as registry:
        for value in values:
            registry.write(value.replace("\n", " ") + "\n")
