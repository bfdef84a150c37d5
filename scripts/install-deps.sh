#!/bin/sh
# Installs the Debian 12 packages coroner needs to build and test, when missing.
# Build: compiler, pkg-config, elfutils (libelf, libdw), libbpf, capstone, codecs, libedit.
# Test oracles: crash, makedumpfile, python3-drgn, libkdumpfile, kexec-tools, zstd.
set -e
BUILD_PKGS="build-essential pkg-config libelf-dev libdw-dev libbpf-dev libcapstone-dev
zlib1g-dev libdeflate-dev liblzo2-dev libsnappy-dev libzstd-dev libedit-dev"
TEST_PKGS="crash makedumpfile python3-drgn python3-jsonschema libkdumpfile-dev kexec-tools zstd clang clang-format"
[ "${COR_NO_TEST_DEPS:-}" = 1 ] && TEST_PKGS=""
missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
		echo "install-deps: missing packages:$missing (not root and no sudo): install them" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || { echo "install-deps: apt-get update failed" >&2; exit 1; }
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null ||
	{ echo "install-deps: apt-get install$missing failed" >&2; exit 1; }
echo "install-deps: done"
