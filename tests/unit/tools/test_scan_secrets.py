import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import scan_secrets  # noqa: E402

from helpers.deploy import vault_secrets  # noqa: E402


def test_a_planted_credential_is_found_and_named_not_printed(tmp_path, capsys):
    (tmp_path / "ansible.log").write_text("ok: [local]\n")
    (tmp_path / "secrets.txt").write_text("s3cr3t-made-by-a-test\n")
    assert scan_secrets.main([str(tmp_path)]) == 0
    (tmp_path / "helm.log").write_text("password: s3cr3t-made-by-a-test\n")
    assert scan_secrets.main([str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "credential #1 of secrets.txt in" in out and "s3cr3t-made-by-a-test" not in out


def test_each_writers_registry_is_read_and_none_is_scanned_as_a_log(tmp_path, capsys):
    """pytest and a molecule scenario running beside it register credentials in files of their own."""
    (tmp_path / "ansible.log").write_text("ok: [local]\n")
    (tmp_path / "secrets.txt").write_text("from-pytest-1234\n")
    (tmp_path / "secrets-execution-environment.txt").write_text("from-a-scenario-5678\n")
    assert scan_secrets.main([str(tmp_path)]) == 0
    (tmp_path / "job.log").write_text("token: from-a-scenario-5678\n")
    assert scan_secrets.main([str(tmp_path)]) == 1
    assert "credential #1 of secrets-execution-environment.txt in" in capsys.readouterr().out


def test_the_vaults_values_are_looked_for(tmp_path):
    (tmp_path / "molecule.log").write_text("TASK ... " + vault_secrets("staging")["redis_password"])
    assert scan_secrets.main([str(tmp_path)]) == 1


def test_no_logs_is_an_error_not_a_pass(tmp_path):
    assert scan_secrets.main([str(tmp_path)]) == 2
