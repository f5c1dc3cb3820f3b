"""What a run of the suite reports about its test bed survives the way CI runs it: pytest on two workers.

CI once ended in an INTERNALERROR: a fault test warned that it had repaired the test bed, the warning's class lived
in the test module, and xdist's controller, which rebuilds each worker's warnings by importing their class's
module, could not import it; it took the worker for crashed and stopped the run. These run a real pytest on two
workers over a test file made here, the way `make test` runs the suite.
"""

import subprocess
import sys
from pathlib import Path

import testbed

TESTBED_DIR = Path(testbed.__file__).resolve().parent
CONFTEST = Path(__file__).resolve().parents[2] / "conftest.py"


def run_pytest(directory: Path, test_code: str, conftest: str) -> subprocess.CompletedProcess:
    (directory / "pytest.ini").write_text("[pytest]\n")
    (directory / "conftest.py").write_text(conftest)
    (directory / "test_inner.py").write_text(test_code)
    return subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-p", "no:cacheprovider",
                           "-rA", str(directory)], capture_output=True, text=True, cwd=directory, check=False)


def test_a_repair_of_the_bed_reaches_the_summary_under_two_workers(tmp_path):
    result = run_pytest(tmp_path, conftest=f"import sys\nsys.path.insert(0, {str(TESTBED_DIR)!r})\n", test_code=(
        "import warnings\nimport testbed\n\n"
        "def test_repaired():\n    warnings.warn('restarted kwok', testbed.BedRepaired)\n\n"
        "def test_other():\n    pass\n"))
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "INTERNALERROR" not in output, output[-4000:]
    assert "BedRepaired: restarted kwok" in output and "2 passed, 1 warning" in output, output[-4000:]


def test_a_failure_stays_the_tests_own_when_the_bed_cannot_be_diagnosed(tmp_path):
    """The suite's report hook adds the cluster's state to a failed test; when that itself fails, the test's
    failure is still what is reported, not an INTERNALERROR."""
    hook = CONFTEST.read_text().split("@pytest.hookimpl(hookwrapper=True)", 1)[1]
    conftest = (f"import sys\nimport pytest\nsys.path.insert(0, {str(TESTBED_DIR)!r})\nimport testbed\n\n"
                "def diagnose(self):\n    raise RuntimeError('no state to read')\n\n"
                "testbed.Cluster.diagnose = diagnose\n\n"
                "@pytest.fixture\ndef cluster_name():\n    return 'thebot-no-such-cluster'\n\n"
                f"@pytest.hookimpl(hookwrapper=True){hook}")
    result = run_pytest(tmp_path, conftest=conftest, test_code=(
        "def test_fails(cluster_name):\n    assert cluster_name == 'another'\n\n"
        "def test_other():\n    pass\n"))
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "INTERNALERROR" not in output, output[-4000:]
    assert "FAILED test_inner.py::test_fails" in output and "1 failed, 1 passed" in output, output[-4000:]
    assert "no diagnosis: RuntimeError: no state to read" in output, output[-4000:]
