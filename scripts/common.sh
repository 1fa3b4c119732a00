# Sourced by run.sh and test.sh: installs what Confab needs from Debian and
# builds it into build/. Safe to run again: it installs only what is missing
# and builds incrementally.

CONFAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CONFAB_BUILD=${CONFAB_BUILD:-$CONFAB_ROOT/build}

# Everything comes from Debian 12 (Qt 6.4.2).
CONFAB_BUILD_PACKAGES=(
    cmake ninja-build clang libclang-rt-14-dev gcc g++ pkg-config libcrypt-dev
    qt6-base-dev qt6-websockets-dev libqt6sql6-sqlite libqt6svg6 libgl-dev
    qtkeychain-qt6-dev libqt6sql6-psql libhiredis-dev
)
# util-linux: unshare, nsenter and prlimit for the reliability suite; iproute2
# (ip) for the LAN namespace test; dpkg-dev
# (dpkg-shlibdeps) for cpack's Debian packages; systemd for systemd-analyze;
# haproxy to test the server behind a real proxy; postgresql and
# redis-server for cluster mode (the tests start their own, on free ports);
# sqlite3 for the backup that docs/server.md tells operators to take; file
# and binutils (readelf, objcopy) for cpack's stripped packages and their
# debug symbols.
CONFAB_TEST_PACKAGES=(openssl python3 chromium util-linux iproute2 dpkg-dev systemd haproxy postgresql redis-server
                      sqlite3 file binutils)
# What the README's first steps and docs/teaching.md use: nc to talk to the
# server by hand, openssl s_client for TLS, python3 for the example client.
CONFAB_RUN_PACKAGES=(netcat-openbsd openssl python3)

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

confab_install_packages() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || die "need root or sudo to install: ${missing[*]}"
        sudo=(sudo)
    fi
    say "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -q || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}" \
        || die "apt-get install failed for: ${missing[*]}"
}

# Node.js and npm for the browser tests: Debian's, unless the machine has its own.
confab_install_node() {
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        confab_install_packages nodejs npm
    fi
}

# The browser tests' npm packages, exactly as locked.
confab_install_web_test_packages() {
    local dir="$CONFAB_ROOT/tests/web"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] \
        || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        say "installing the browser tests' npm packages"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in tests/web"
    fi
}

confab_build() {
    if [ ! -f "$CONFAB_BUILD/CMakeCache.txt" ]; then
        say "configuring $CONFAB_BUILD"
        cmake -S "$CONFAB_ROOT" -B "$CONFAB_BUILD" -G Ninja \
            -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            -DCONFAB_WERROR=ON "$@" || die "cmake configure failed"
    fi
    say "building"
    cmake --build "$CONFAB_BUILD" || die "build failed"
}

# Debian's default compiler (GCC) is what a plain `cmake -B build` uses: the
# libraries and programs must build there too, without a warning. Tests and
# fuzzers are left to the clang build. Optimised as the clang build is, so that
# the same warnings show, but without debug information, which only costs time here.
confab_build_gcc() {
    local dir="$CONFAB_BUILD-gcc"
    if [ ! -f "$dir/CMakeCache.txt" ]; then
        say "configuring $dir (GCC)"
        cmake -S "$CONFAB_ROOT" -B "$dir" -G Ninja \
            -DCMAKE_CXX_COMPILER=g++ -DCMAKE_C_COMPILER=gcc \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" \
            -DCONFAB_WERROR=ON -DCONFAB_FUZZ=OFF >/dev/null || die "cmake configure failed (GCC)"
    fi
    say "building with GCC, warnings as errors"
    cmake --build "$dir" --target confab-server confab confab-bench confab-floor || die "build failed with GCC"
}
