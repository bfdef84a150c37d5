#!/bin/sh
# Regenerates the dump seeds of tests/fuzz/corpus/{elf,kdump,flat}/ from the
# specs beside this script (gendump: tests/gen/main.c). The notes seeds are
# the PT_NOTE of corpus/elf/elf-qemu-notes and the first QEMU CPU notes of the
# corpus' QEMU dump; the vmcoreinfo seeds are that dump's VMCOREINFO and a
# small hand-made text.
#   tests/fuzz/specs/make-seeds.sh [BUILD]
set -e
cd "$(dirname "$0")/../../.."
B=${1:-build}
for s in tests/fuzz/specs/*.spec; do
	b=$(basename "$s" .spec)
	"$B/gendump" "$s" "tests/fuzz/corpus/${b%%-*}/$b"
done
