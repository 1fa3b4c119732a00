#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test with CTest.
# Extra arguments go to ctest, e.g. ./test.sh -R codec
set -euo pipefail
source "$(dirname "$0")/scripts/common.sh"

confab_install_packages "${CONFAB_BUILD_PACKAGES[@]}" "${CONFAB_TEST_PACKAGES[@]}"
confab_install_node
confab_install_web_test_packages
confab_build
confab_build_gcc

say "testing"
export QT_QPA_PLATFORM=offscreen
ctest --test-dir "$CONFAB_BUILD" --output-on-failure -j 2 "$@"
