# Run in the runner pod by kubectl exec: sh -c "$(cat backup.sh)" backup NAME WITH_MEDIA
# Dumps the database (custom format) and archives the media volume into a folder that is renamed to NAME
# only once complete (finish.sh), and prints "<sha256> <bytes> <file>" for each file. The connection comes
# from the PG* variables the pod reads from the release's ConfigMap and Secret: no credential passes here.
set -eu
umask 077
name=$1
media=$2
cd /backups
# Under the deploy lock no other backup runs: a partial folder is a dead run's.
rm -rf ./.partial-*
work=.partial-$name
mkdir -- "$work"
pg_dump --format=custom --no-owner --no-privileges --file="$work/database.pgdump"
if [ "$media" = true ]; then
  tar --create --gzip --file="$work/media.tar.gz" --directory=/media .
fi
cd -- "$work"
for file in *; do
  printf '%s %s %s\n' "$(sha256sum < "$file" | cut -d' ' -f1)" "$(wc -c < "$file")" "$file"
done
