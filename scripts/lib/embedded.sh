# Helpers of the scripts that run a real server from Maven artifacts on a machine where none is
# installed (scripts/postgres/server, scripts/redis/server); sourced after common.sh.

# The directory that keeps what those scripts unpack from the artifacts (server binaries): outside
# the checkout, so that a 'mvn clean' never deletes the binaries of a server that runs.
embedded_cache_dir() {
  printf '%s' "${MARKETPLACE_EMBEDDED_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/marketplace-index}"
}

# local_port_open PORT: true when something accepts TCP connections on 127.0.0.1:PORT.
local_port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# is_loopback HOST: the embedded servers only ever listen on the loopback interface.
is_loopback() {
  [[ "$1" == 127.0.0.1 || "$1" == localhost ]]
}

# maven_classpath POM CACHE_FILE [MAVEN_ARGS...]: the class path of the artifacts POM lists, resolved
# once with Maven and cached in CACHE_FILE; resolved again when the pom changed, the arguments
# changed or a jar disappeared (a cleaned ~/.m2).
maven_classpath() {
  local pom="$1" cache="$2"; shift 2
  local key="# $*" stale=0 jar
  if [[ ! -s "$cache" || "$pom" -nt "$cache" || "$(head -1 "$cache")" != "$key" ]]; then
    stale=1
  else
    while IFS= read -r -d ':' jar; do
      [[ -f "$jar" ]] || { stale=1; break; }
    done < <(tail -n +2 "$cache" | tr -d '\n'; printf ':')
  fi
  if (( stale )); then
    command -v mvn >/dev/null 2>&1 || die "Maven is needed once to fetch the artifacts of $pom"
    mkdir -p "$(dirname "$cache")"
    log "resolving the artifacts of ${pom#"$REPO_ROOT/"} with Maven (first run only)"
    local tmp="$cache.$$"
    mvn -B -q -ntp -Dstyle.color=never -f "$pom" "$@" dependency:build-classpath -Dmdep.outputFile="$tmp.cp" \
      >"$tmp.log" 2>&1 || { cat "$tmp.log" >&2; rm -f "$tmp.cp" "$tmp.log"; die "Maven could not resolve $pom"; }
    rm -f "$tmp.log"
    { printf '%s\n' "$key"; cat "$tmp.cp"; printf '\n'; } > "$tmp"
    rm -f "$tmp.cp"
    mv "$tmp" "$cache"
  fi
  tail -n +2 "$cache" | tr -d '\n'
}

# jar_on_classpath CLASSPATH NAME_PART: the first jar of the class path whose file name contains NAME_PART.
jar_on_classpath() {
  tr ':' '\n' <<< "$1" | grep -m1 -- "/[^/]*$2[^/]*\.jar$" || die "no jar named *$2* on the resolved class path"
}

# alive_with PID TEXT: PID runs and its command line contains TEXT. A PID file can outlive its
# process and the number be reused: such a process must never be stopped by these scripts.
alive_with() {
  local pid="$1" text="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$text"
}

# stop_pid PID NAME: SIGTERM, then SIGKILL after 20 s; returns once the process is gone.
stop_pid() {
  local pid="$1" name="$2" waited=0
  kill -TERM "$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null && (( waited < 100 )); do
    sleep 0.2
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still running after 20 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
}

# await_port PORT PID SECONDS NAME LOG: until 127.0.0.1:PORT accepts connections; dies when PID exits first.
await_port() {
  local port="$1" pid="$2" deadline=$((SECONDS + $3)) name="$4" logfile="$5"
  until local_port_open "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$logfile" >&2 2>/dev/null || true
      die "$name exited during start-up; see $logfile"
    fi
    (( SECONDS < deadline )) || die "$name did not open 127.0.0.1:$port within $3 s (pid $pid); see $logfile"
    sleep 0.1
  done
}
