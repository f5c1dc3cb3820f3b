# Run in the runner pod: sh -c "$(cat verify.sh)" verify NAME "SHA256  FILE..." (sha256sum's check lines)
# Fails, naming the file, unless every file of the backup has the checksum its metadata records.
set -eu
cd -- "/backups/$1"
printf '%s\n' "$2" | sha256sum --check --strict -
