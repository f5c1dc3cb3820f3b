"""backup.yml and restore.yml refuse bad input before any write: each refusal names the field and the fix, and the
API server's audit log shows that the run wrote nothing, not even its deploy lock.

What a backup and a restore do to real data (pg_dump, pg_restore, the media volume, a damaged backup taken by
backup.yml itself, a restore on another cluster) needs running containers, which kwok nodes do not run: that is
molecule's backup scenario on kind (molecule/backup).
"""

import datetime
import hashlib
import json

import pytest

import testbed

pytestmark = pytest.mark.cluster

NAME = "thebot-r1-1.0.0-20261129T000000Z"


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def controller_backup(folder, damaged_file=None, **metadata):
    """A backup folder as backup.yml leaves one on the controller: the files and their checksums in backup.json."""
    folder.mkdir(parents=True)
    files = {}
    for name, content in (("database.pgdump", b"PGDMP dump"), ("media.tar.gz", b"media")):
        (folder / name).write_bytes(content)
        files[name] = {"sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
    if damaged_file:
        with (folder / damaged_file).open("ab") as damaged:
            damaged.write(b"\0")
    (folder / "backup.json").write_text(json.dumps({
        "format": 1, "name": folder.name, "release": "thebot", "environment": "dev", "app_version": "1.0.0",
        "revision": 1, "created": "20261129T000000Z", "files": files, **metadata}))
    return folder


@pytest.fixture(scope="module")
def release(module_deploy):
    first = module_deploy()
    assert first.returncode == 0, first.output[-3000:]
    return first.namespace


@pytest.mark.parametrize("playbook,args,env,said", [
    ("restore.yml", [], "dev", "name the backup to restore: -e thebot_backup=<name>"),
    ("restore.yml", ["-e", "thebot_backup=../etc"], "dev", "thebot_backup=../etc is not a backup's name"),
    ("restore.yml", ["-e", f"thebot_backup={NAME}"], "prod",
     f"confirm with -e thebot_restore_confirm={NAME}"),
    ("restore.yml", ["-e", f"thebot_backup={NAME}", "-e", "thebot_restore_confirm=another"], "prod",
     f"confirm with -e thebot_restore_confirm={NAME}"),
    ("restore.yml", ["-e", f"thebot_backup={NAME}"], "dev", "no PersistentVolumeClaim/thebot-backups in"),
    ("backup.yml", ["-e", "thebot_backup_keep=0"], "dev", "keep at least 1, the backup this run takes"),
    ("backup.yml", ["-e", "thebot_backup_destination=nowhere"], "dev", "backup_destination"),
])
def test_a_refusal_names_the_fix_and_writes_nothing(module_deploy, release, cluster_name, playbook, args, env, said):
    since = now()
    limit = ["-l", "prod-eu-1"] if env == "prod" else []
    result = module_deploy(*args, *limit, env=env, playbook=playbook, namespace=release, vault=False)
    assert result.returncode == 2, result.output[-3000:]
    assert said in result.flat, result.output[-3000:]
    assert "Traceback" not in result.output
    assert testbed.Cluster(cluster_name).writes(since) == []


def test_no_release_to_back_up_or_restore_into(deploy, cluster_name):
    since = now()
    backup = deploy(playbook="backup.yml", vault=False)
    restore = deploy("-e", f"thebot_backup={NAME}", playbook="restore.yml", vault=False)
    for result, said in ((backup, "is not installed in %s: nothing to back up"),
                         (restore, "is not installed in %s: deploy it first")):
        assert result.returncode == 2 and said % result.namespace in result.flat, result.output[-3000:]
    assert testbed.Cluster(cluster_name).writes(since) == []


def test_a_damaged_or_missing_backup_on_the_controller_is_refused(module_deploy, release, cluster_name, tmp_path):
    folder = controller_backup(tmp_path / NAME, damaged_file="database.pgdump")
    since = now()
    damaged = module_deploy("-e", f"thebot_backup={NAME}", "-e", "thebot_backup_destination=controller",
                            "-e", f"thebot_backup_dir={tmp_path}", playbook="restore.yml", namespace=release, vault=False)
    missing = module_deploy("-e", "thebot_backup=thebot-r9-1.0.0-20261129T000000Z",
                            "-e", "thebot_backup_destination=controller", "-e", f"thebot_backup_dir={tmp_path}",
                            playbook="restore.yml", namespace=release, vault=False)
    assert testbed.Cluster(cluster_name).writes(since) == []
    assert damaged.returncode == 2, damaged.output[-3000:]
    assert (f"backup {NAME} is damaged: database.pgdump does not match the checksum in its backup.json. "
            "Nothing was changed") in damaged.flat, damaged.output[-3000:]
    assert missing.returncode == 2, missing.output[-3000:]
    assert f"no backup thebot-r9-1.0.0-20261129T000000Z in {tmp_path}" in missing.flat, missing.output[-3000:]
    assert f"the backups there are {NAME}" in missing.flat, missing.output[-3000:]
    assert folder.joinpath("database.pgdump").read_bytes() == b"PGDMP dump\0", "the backup itself is left as it was"


def test_check_mode_says_what_it_would_do_and_writes_nothing(module_deploy, release, cluster_name, tmp_path):
    controller_backup(tmp_path / NAME)
    since = now()
    backup = module_deploy("--check", playbook="backup.yml", namespace=release, vault=False)
    restore = module_deploy("--check", "-e", f"thebot_backup={NAME}", "-e", "thebot_backup_destination=controller",
                            "-e", f"thebot_backup_dir={tmp_path}", playbook="restore.yml", namespace=release,
                            vault=False)
    assert testbed.Cluster(cluster_name).writes(since) == []
    assert backup.returncode == 0, backup.output[-3000:]
    assert "Would back up thebot as thebot-r1-1.0.0-" in backup.flat, backup.output[-3000:]
    assert restore.returncode == 0, restore.output[-3000:]
    assert f"Would restore {NAME} into thebot in {release}" in restore.flat, restore.output[-3000:]
