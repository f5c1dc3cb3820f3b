# Run in the runner pod: sh -c "$(cat verify.sh)" verify NAME "SHA256  FILE"... (one sha256sum check line each)
# Fails, naming the file, unless every file of the backup has the checksum its metadata records.
set -eu
cd -- "/backups/$1"
shift
printf '%s\n' "$@" | sha256sum --check --strict -
