#!/usr/bin/env bash
# Installs what is missing, builds, and starts Confab: the server, and where
# there is a display, the desktop client connected to it. Arguments go to
# confab-server (see: build/server/confab-server --help); CONFAB_CLIENT_ARGS
# to the desktop client (e.g. CONFAB_CLIENT_ARGS=--inspect). Ctrl+C stops all.
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"

confab_install_packages "${CONFAB_BUILD_PACKAGES[@]}" "${CONFAB_RUN_PACKAGES[@]}"
confab_build

server="$CONFAB_BUILD/server/confab-server"
client="$CONFAB_BUILD/client/confab"

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ ! -x "$client" ]; then
    say "no display: starting the server only (chat with: nc localhost 7700)"
    exec "$server" "$@"
fi

"$server" "$@" &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT INT TERM
say "starting the desktop client; open another with: $client"
read -r -a client_args <<< "${CONFAB_CLIENT_ARGS:-}"
"$client" "${client_args[@]}" &
wait "$server_pid"
