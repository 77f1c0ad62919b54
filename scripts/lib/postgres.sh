# A throwaway PostgreSQL server for a benchmark run (sourced, not run): its own data directory and
# port, the project's settings (deploy/postgres-settings.sql), trust authentication on 127.0.0.1
# only. A benchmark on its own server knows the settings it measured and can count every process of
# the server (checkpointer, WAL writer, autovacuum), not only the backends of its database.

# The directory of initdb/pg_ctl/postgres: PG_BINDIR, else pg_config's, else the newest of the
# distribution's /usr/lib/postgresql/<major>/bin, else the binaries scripts/postgres/server runs from
# Maven artifacts (a machine with no PostgreSQL installed).
postgres_bindir() {
  if [[ -n "${PG_BINDIR:-}" ]]; then
    printf '%s' "$PG_BINDIR"
  elif command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    pg_config --bindir
  else
    local newest
    newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
    if [[ -n "$newest" && -x "$newest/initdb" ]]; then
      printf '%s' "$newest"
    else
      "$REPO_ROOT/scripts/postgres/server" bindir
    fi
  fi
}

# PostgreSQL refuses to run as root. As root, its commands run as the 'postgres' system user when
# there is one that may run them (the distribution's server) and reach the server's directory, else
# in a user namespace where they are not root (unshare -U, as scripts/postgres/server runs the
# binaries from Maven artifacts). A checkout in a private directory (mode 700, as mktemp makes) is out
# of the system user's reach, so that user alone is not enough.
# as_postgres_user DIR BINARY [ARGS...]: runs BINARY for the server kept in DIR.
as_postgres_user() {
  local dir="$1"
  shift
  if [[ "$(id -u)" != 0 ]]; then
    "$@"
  elif postgres_user_runs "$1" "$dir"; then
    runuser -u postgres -- "$@"
  else
    unshare -U "$@"
  fi
}

# postgres_user_runs BINARY DIR: root, and the 'postgres' system user exists, may run BINARY and reach DIR.
postgres_user_runs() {
  [[ "$(id -u)" == 0 ]] && id -u postgres >/dev/null 2>&1 && runuser -u postgres -- test -x "$1" \
    && runuser -u postgres -- test -x "$2"
}

# own_postgres_pid DIR: the postmaster's pid.
own_postgres_pid() { head -1 "$1/data/postmaster.pid"; }

# own_postgres_start DIR PORT [SETTINGS]: initdb in DIR/data, start on 127.0.0.1:PORT, apply the
# settings (SQL; deploy/postgres-settings.sql unless given, "none" for the stock ones: a small server
# for a test) and restart so that all of them hold. The server log is DIR/server.log.
own_postgres_start() {
  local dir="$1" port="$2" settings="${3:-$REPO_ROOT/deploy/postgres-settings.sql}" bin
  bin="$(postgres_bindir)" || die "no PostgreSQL server binaries found (set PG_BINDIR, or use --postgres shared)"
  rm -rf "$dir"
  mkdir -p "$dir"
  if postgres_user_runs "$bin/initdb" "$(dirname "$dir")"; then
    chown postgres: "$dir"
  fi
  log "postgres: initdb in $dir/data ($("$bin/postgres" --version))"
  as_postgres_user "$dir" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || die "initdb failed, see $dir/initdb.log"
  local options="-p $port -c listen_addresses=127.0.0.1 -k $dir"
  as_postgres_user "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w -t 60 start >/dev/null \
    || die "PostgreSQL did not start, see $dir/server.log"
  if [[ "$settings" != none ]]; then
    psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres \
      -f "$settings" >/dev/null || die "applying $settings failed"
    as_postgres_user "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$options" -w -t 60 restart >/dev/null \
      || die "PostgreSQL did not restart, see $dir/server.log"
  fi
  log "postgres: started on 127.0.0.1:$port (pid $(own_postgres_pid "$dir")), log: $dir/server.log"
}

# own_postgres_resume DIR PORT: start again, on the same port, a server that own_postgres_stop DIR keep
# stopped (its data as it was).
own_postgres_resume() {
  local dir="$1" port="$2" bin
  bin="$(postgres_bindir)" || die "no PostgreSQL server binaries found (set PG_BINDIR)"
  as_postgres_user "$dir" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir" -w -t 60 start >/dev/null \
    || die "PostgreSQL did not start again, see $dir/server.log"
  log "postgres: started again on 127.0.0.1:$port (pid $(own_postgres_pid "$dir"))"
}

# own_postgres_stop DIR [keep]: fast shutdown; the data directory goes unless the second argument is set.
own_postgres_stop() {
  local dir="$1" keep="${2:-}" bin
  bin="$(postgres_bindir)" || return 0
  if [[ -f "$dir/data/postmaster.pid" ]]; then
    as_postgres_user "$dir" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  if [[ -n "$keep" ]]; then
    log "postgres: data directory kept in $dir/data"
  else
    rm -rf "$dir/data"
  fi
}
