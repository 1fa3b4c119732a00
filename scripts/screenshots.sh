#!/usr/bin/env bash
# Renders the screenshots in docs/screenshots/ from the desktop and browser
# tests, by hand (CTest never writes into the checkout). Needs a build:
# ./test.sh or ./run.sh first.
set -euo pipefail
source "$(dirname "$0")/common.sh"

export CONFAB_SCREENSHOT_DIR="$CONFAB_ROOT/docs/screenshots"
export QT_QPA_PLATFORM=offscreen
mkdir -p "$CONFAB_SCREENSHOT_DIR"
ctest --test-dir "$CONFAB_BUILD" --output-on-failure -R '^(mainwindow|connectdialog|inspector|web_client|web_inspector|web_status)$'
say "screenshots written to $CONFAB_SCREENSHOT_DIR"
