# Run in the runner pod, the release's writers stopped: sh -c "$(cat restore.sh)" restore NAME WITH_MEDIA
# The media archive is unpacked aside first (a failure there changes nothing); then the database is replaced
# in one transaction: its tables, views and sequences dropped and the dump restored, committed only if
# pg_restore read the whole dump; then the unpacked media take the old ones' place.
set -eu
name=$1
media=$2
cd -- "/backups/$name"
stage=/media/.restore-staging
# Whatever fails, the staging folder goes (the apps serve /media).
trap 'rm -rf "$stage"' EXIT
if [ "$media" = true ]; then
  rm -rf "$stage"
  mkdir "$stage"
  tar --extract --gzip --file=media.tar.gz --directory="$stage" --no-same-owner
fi
status=/tmp/pg_restore.status
rm -f "$status"
{
  echo 'BEGIN;'
  cat <<'SQL'
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT table_name FROM information_schema.views WHERE table_schema = 'public' LOOP
    EXECUTE format('DROP VIEW IF EXISTS public.%I CASCADE', r.table_name);
  END LOOP;
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP
    EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', r.tablename);
  END LOOP;
  FOR r IN SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = 'public' LOOP
    EXECUTE format('DROP SEQUENCE IF EXISTS public.%I CASCADE', r.sequence_name);
  END LOOP;
END $$;
SQL
  if pg_restore --no-owner --no-privileges --file=- database.pgdump; then
    echo 'COMMIT;'
  else
    echo failed > "$status"
  fi
} | psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --file=- > /dev/null
if [ -e "$status" ]; then
  echo "pg_restore could not read $name/database.pgdump: the database was left as it was" >&2
  exit 1
fi
if [ "$media" = true ]; then
  find /media -mindepth 1 -maxdepth 1 ! -name .restore-staging -exec rm -rf -- {} +
  find "$stage" -mindepth 1 -maxdepth 1 -exec mv -- {} /media/ \;
  rmdir "$stage"
fi
