# Shared helpers of the project's scripts (sourced, not run).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# The comment block at the top of the running script, below its first line: its usage text.
script_usage() { awk 'NR > 1 && !/^#/ {exit} NR > 1' "$0" | sed 's/^# \{0,1\}//'; }

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() {
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0 || return 1
}

# host and port of a URL-ish value like jdbc:postgresql://h:p/db, redis://h:p or h:p,h2:p2 (first one).
host_of() { local v="${1#*://}"; v="${v%%,*}"; v="${v%%/*}"; v="${v##*@}"; printf '%s' "${v%%:*}"; }
port_of() { local v="${1#*://}"; v="${v%%,*}"; v="${v%%/*}"; v="${v##*@}"; [[ "$v" == *:* ]] && printf '%s' "${v##*:}" || printf '%s' "$2"; }

require_tools() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is required but not installed"
  done
}

# ensure_chromium: Playwright drives the system Chromium; it never downloads browsers.
ensure_chromium() {
  local chromium="${MARKETPLACE_CHROMIUM:-/usr/bin/chromium}"
  if [[ -x "$chromium" ]]; then
    return 0
  fi
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing Chromium from the distribution's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  [[ -x "$chromium" ]] || die "Chromium not found at $chromium (install the 'chromium' package or set MARKETPLACE_CHROMIUM)"
}

# ensure_promtool: Prometheus' promtool checks the alert rules and scrape config in deploy/; comes with
# Debian's 'prometheus' package (installed without starting its server: nothing here runs it).
ensure_promtool() {
  if command -v promtool >/dev/null 2>&1; then
    return 0
  fi
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing promtool (the 'prometheus' package) from the distribution's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  fi
  command -v promtool >/dev/null 2>&1 || die "promtool not found (install the 'prometheus' package)"
}

# ensure_node: Node.js and npm run the compose file's lint (scripts/check-deploy); from the
# distribution's packages when run as root and missing.
ensure_node() {
  if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    return 0
  fi
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    log "installing Node.js and npm from the distribution's packages"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 \
    || die "node and npm not found (install the 'nodejs' and 'npm' packages)"
}

# The benchmark drivers' classpath (benchmarks/target/classpath.txt). Builds the jars first when $1 is
# non-empty or none was built yet: dependency:build-classpath in the same reactor run, so the
# project's own modules resolve to the jars just built, never to stale copies in ~/.m2 (each module
# writes its own target/classpath.txt).
bench_classpath() {
  local build="$1" cp_file=benchmarks/target/classpath.txt
  mkdir -p benchmarks/target
  if [[ -n "$build" || ! -s "$cp_file" ]]; then
    log "building the jars (mvn -DskipTests package), log: benchmarks/target/build.log"
    mvn -B -ntp -DskipTests package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt \
      -pl registry-simulator,indexer-worker,api-service,benchmarks -am \
      >benchmarks/target/build.log 2>&1 || die "build failed, see benchmarks/target/build.log"
  fi
  for jar in registry-simulator/target/registry-simulator.jar indexer-worker/target/indexer-worker.jar \
             api-service/target/api-service.jar; do
    [[ -f "$jar" ]] || die "$jar is missing: run without --skip-build"
  done
  printf 'benchmarks/target/classes:%s' "$(cat "$cp_file")"
}

# Runs what follows on the JDK in $1 (when non-empty). The jars stay built by the default JDK
# (release 17, as CI builds them); BENCH_RUN_JAVA tells the driver to name the release in its report.
use_java() {
  [[ -n "$1" ]] || return 0
  check_java_dir "$1"
  export JAVA_HOME="$1" PATH="$1/bin:$PATH" BENCH_RUN_JAVA=1
}

# check_java_dir DIR: dies unless DIR (when non-empty) holds a JDK; for scripts that check --java
# before they start anything, and switch to it only later.
check_java_dir() {
  [[ -z "$1" || -x "$1/bin/java" ]] || die "--java $1: no bin/java there"
}
