#!/bin/sh
# What the official postgres image's entrypoint does, for the variables the chart sets: on an empty data
# directory, initdb with POSTGRES_USER and POSTGRES_PASSWORD (or the content of POSTGRES_PASSWORD_FILE, as the
# official image reads it; handed to initdb in a file: never in argv) and create POSTGRES_DB; then run postgres
# in the foreground, listening on every address with passwords required.
set -eu
if [ "${1:-postgres}" != postgres ]; then exec "$@"; fi
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
  if [ -n "${POSTGRES_PASSWORD:-}" ]; then echo "POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are exclusive" >&2; exit 1; fi
  POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
fi
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is not set}"
socket=/var/run/postgresql
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --no-instructions -D "$PGDATA"
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=$socket" -w start
  if [ "$POSTGRES_DB" != postgres ]; then
    createdb -h "$socket" -U "$POSTGRES_USER" "$POSTGRES_DB"
  fi
  pg_ctl -D "$PGDATA" -m fast -w stop
fi
shift
exec postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories="$socket" "$@"
