#!/usr/bin/env bash
# Build and install PostgreSQL's pgvector extension on Debian 12 (bookworm), whose own archive
# lacks it: the source comes from Debian 13's package (deb-src), the headers from
# postgresql-server-dev. Optional: Innobridge uses it when INNOBRIDGE_DENSE_INDEX is pgvector or
# auto (README, Deploy). Run as root on the database host; "CREATE EXTENSION vector" then needs a
# superuser once per database (Innobridge tries it itself when allowed).
set -euo pipefail

PG_CONFIG="${PG_CONFIG:-$(ls -d /usr/lib/postgresql/*/bin/pg_config 2>/dev/null | sort -V | tail -n1)}"
if [ -z "$PG_CONFIG" ] || [ ! -x "$PG_CONFIG" ]; then
  echo "install-pgvector: no PostgreSQL server found (pg_config)" >&2
  exit 1
fi
major="$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')"
if [ -f "$("$PG_CONFIG" --sharedir)/extension/vector.control" ]; then
  echo "install-pgvector: already installed for PostgreSQL $major"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
sources=/etc/apt/sources.list.d/innobridge-pgvector-src.sources
cat > "$sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
trap 'rm -f "$sources"' EXIT
apt-get update -qq
apt-get install -y -qq "postgresql-server-dev-$major" make gcc >/dev/null
work="$(mktemp -d)"
(cd "$work" && apt-get source --download-only -qq pgvector >/dev/null 2>&1)
tar -xzf "$work"/pgvector_*.orig.tar.gz -C "$work"
cd "$work"/pgvector-*/
make -s PG_CONFIG="$PG_CONFIG" OPTFLAGS="" >/dev/null
make -s PG_CONFIG="$PG_CONFIG" install >/dev/null
rm -rf "$work"
echo "install-pgvector: installed for PostgreSQL $major"
