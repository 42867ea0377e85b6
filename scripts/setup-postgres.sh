#!/usr/bin/env bash
# PostgreSQL for the tests' second pass (and for trying the PostgreSQL store by hand), on Debian bookworm:
#
#   TEST_DATABASE_URL=$(bash scripts/setup-postgres.sh) npm test      # or: npm run setup:postgres
#
# 1. installs Debian's postgresql-15 when it is missing;
# 2. builds and installs pgvector 0.8 when PostgreSQL 15 has no `vector` extension: bookworm does not package it,
#    so its source package comes from Debian trixie through a temporary deb-src list and private apt lists (the
#    system's apt configuration is not changed), built against postgresql-server-dev-15 with `OPTFLAGS=""` (no
#    -march=native: the library must load on any x86-64 machine);
# 3. starts the 15/main cluster (creates it when there is none);
# 4. creates (or updates) a login role `assistants`, password `assistants`, a superuser — the tests create and drop
#    a database per test server and `CREATE EXTENSION vector` in it.
#
# It prints the URL to connect with on stdout — that line only, so `$(...)` captures it; progress goes to stderr.
# Safe to run again: with everything in place it only checks and prints the URL (about a second). Needs root or
# passwordless sudo, and no network but Debian's apt mirror (deb.debian.org, or DEBIAN_MIRROR).
#
# Settings (environment): PG_MAJOR (15), PG_CLUSTER (main), PG_ROLE / PG_PASSWORD (assistants / assistants),
# DEBIAN_MIRROR (http://deb.debian.org/debian), PGVECTOR_SUITE (trixie).
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CLUSTER="${PG_CLUSTER:-main}"
PG_ROLE="${PG_ROLE:-assistants}"
PG_PASSWORD="${PG_PASSWORD:-assistants}"
DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
PGVECTOR_SUITE="${PGVECTOR_SUITE:-trixie}"

PG_BIN="/usr/lib/postgresql/${PG_MAJOR}/bin"
VECTOR_CONTROL="/usr/share/postgresql/${PG_MAJOR}/extension/vector.control"
started_at=$(date +%s)

log() { echo "[setup-postgres] $*" >&2; }
fail() {
  echo "[setup-postgres] $*" >&2
  exit 1
}

# ---- privileges: root, or sudo without a password -------------------------------------------------------------
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
  as_postgres=(runuser -u postgres --)
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
  as_postgres=(sudo -n -u postgres)
else
  fail "needs root or passwordless sudo (to install packages and start the cluster); run it as root, or install
  postgresql-${PG_MAJOR} with pgvector yourself and set TEST_DATABASE_URL."
fi
command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || fail "needs Debian's apt (dpkg-query, apt-get)."

apt_get=("${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300)

missing_packages() {
  local name status
  for name in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null || true)
    [ "$status" = installed ] || echo "$name"
  done
}

# ---- 1. packages ------------------------------------------------------------------------------------------------
wanted=("postgresql-${PG_MAJOR}")
# Building pgvector needs the server headers (their package pulls in clang for PostgreSQL's JIT bitcode), a C
# toolchain and dpkg-source to unpack a Debian source package.
[ -f "$VECTOR_CONTROL" ] || wanted+=("postgresql-server-dev-${PG_MAJOR}" build-essential dpkg-dev)
mapfile -t missing < <(missing_packages "${wanted[@]}")
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  "${apt_get[@]}" update -qq >&2
  "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# ---- 2. pgvector ------------------------------------------------------------------------------------------------
if [ ! -f "$VECTOR_CONTROL" ]; then
  log "building pgvector from Debian ${PGVECTOR_SUITE}'s source package"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/lists/partial" "$work/sources.d" "$work/src"
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${DEBIAN_MIRROR} ${PGVECTOR_SUITE} main" \
    >"$work/sources.list"
  # apt runs its downloads as the _apt user; it must be able to write the private lists and the download folder.
  chmod 755 "$work"
  chmod -R a+rwX "$work/lists" "$work/src"
  private_apt=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=$work/sources.d"
    -o "Dir::State::Lists=$work/lists")
  apt-get -q "${private_apt[@]}" update -qq >&2
  (cd "$work/src" && apt-get -q "${private_apt[@]}" source --download-only pgvector >&2)
  dsc=$(find "$work/src" -maxdepth 1 -name 'pgvector_*.dsc' | head -n 1)
  [ -n "$dsc" ] || fail "apt-get source downloaded no pgvector .dsc from ${PGVECTOR_SUITE}"
  case "$(basename "$dsc")" in
  pgvector_0.8.*) ;;
  *) fail "expected pgvector 0.8.x in ${PGVECTOR_SUITE}, found $(basename "$dsc")" ;;
  esac
  dpkg-source --no-check -x "$dsc" "$work/build" >&2
  make -C "$work/build" -s -j"$(nproc)" PG_CONFIG="$PG_BIN/pg_config" OPTFLAGS="" >&2
  "${as_root[@]}" make -C "$work/build" -s PG_CONFIG="$PG_BIN/pg_config" install >&2
  [ -f "$VECTOR_CONTROL" ] || fail "pgvector was built but $VECTOR_CONTROL is not there"
  log "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$VECTOR_CONTROL") installed"
fi

# ---- 3. the cluster ---------------------------------------------------------------------------------------------
cluster_field() { # $1: column of pg_lsclusters (3 port, 4 status)
  pg_lsclusters -h 2>/dev/null | awk -v major="$PG_MAJOR" -v name="$PG_CLUSTER" -v col="$1" \
    '$1 == major && $2 == name { print $col }'
}
if [ -z "$(cluster_field 4)" ]; then
  log "creating cluster ${PG_MAJOR}/${PG_CLUSTER}"
  "${as_root[@]}" pg_createcluster "$PG_MAJOR" "$PG_CLUSTER" >&2
fi
case "$(cluster_field 4)" in
online*) ;;
*)
  log "starting cluster ${PG_MAJOR}/${PG_CLUSTER}"
  "${as_root[@]}" pg_ctlcluster "$PG_MAJOR" "$PG_CLUSTER" start >&2
  ;;
esac
port=$(cluster_field 3)
[ -n "$port" ] || fail "cluster ${PG_MAJOR}/${PG_CLUSTER} has no port"

# ---- 4. the role ------------------------------------------------------------------------------------------------
# Run from / so the postgres user is not left in a folder it cannot read.
psql_admin=(env -C / "${as_postgres[@]}" "$PG_BIN/psql" -X -q -p "$port" -v ON_ERROR_STOP=1 -d postgres)
"${psql_admin[@]}" -v role="$PG_ROLE" -v password="$PG_PASSWORD" >&2 <<'SQL'
SELECT format('%s ROLE %I LOGIN SUPERUSER PASSWORD %L',
  CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') THEN 'ALTER' ELSE 'CREATE' END,
  :'role', :'password') \gexec
SQL

url="postgres://${PG_ROLE}:${PG_PASSWORD}@127.0.0.1:${port}/postgres"
# The check the tests depend on: a password login over TCP, and the vector extension available to it.
available=$(PGCONNECT_TIMEOUT=10 "$PG_BIN/psql" -X -tA "$url" \
  -c "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'") ||
  fail "cannot log in with $url"
[ "$available" = 1 ] || fail "the vector extension is not available in cluster ${PG_MAJOR}/${PG_CLUSTER}"
log "ready in $(($(date +%s) - started_at)) s: PostgreSQL ${PG_MAJOR} on port ${port} with pgvector"
echo "$url"
