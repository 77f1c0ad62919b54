# Shared helpers of the project's scripts (sourced, not run).

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

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
