# Run in the runner pod: sh -c "$(cat finish.sh)" finish NAME METADATA_JSON
# Writes the backup's metadata (its checksums) and makes the folder the backup, in one rename.
set -eu
umask 077
cd /backups
printf '%s\n' "$2" > ".partial-$1/backup.json"
mv -- ".partial-$1" "$1"
