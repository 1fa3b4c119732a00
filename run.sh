#!/usr/bin/env bash
# Installs what is missing, builds, and starts Confab.
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"

confab_install_packages "${CONFAB_BUILD_PACKAGES[@]}" "${CONFAB_RUN_PACKAGES[@]}"
confab_build

server="$CONFAB_BUILD/server/confab-server"
[ -x "$server" ] || die "confab-server is not built yet: the server is still to come (see the README)"
exec "$server" "$@"
