#!/bin/bash
# Build the capture-benchmark VM (see README.md beside this script):
#   - download Debian bookworm's kernel, makedumpfile, kexec-tools and
#     busybox-static with apt-get download (into $VM_DIR/dl)
#   - build `fill` (bench/vm/fill.c, static) and the repo's coroner
#     (make BUILD=build-vm build-vm/coroner)
#   - assemble two initramfs images in $VM_DIR/img:
#       capture.cpio.gz  kdump capture kernel: busybox, makedumpfile, coroner
#                        (+ their shared libraries), virtio/ext4 modules
#       main.cpio.gz     first kernel: busybox, kexec, fill, virtio/ext4
#                        modules, and vmlinuz + capture.cpio.gz for kexec -p
#   - make data.img, an ext4 image of realistic files (kernel modules, C
#     headers, Python and Perl sources) that the guest copies and reads back
#     to fill its page cache
# Same approach as the corpus generator (../shared/corpus/build/build.sh).
# Env: VM_DIR (default /work/tmp/vm), BUILD (coroner build dir, build-vm).
# Host prerequisites (Debian 12): apt-get install qemu-system-x86 qemu-utils
#   e2fsprogs cpio kmod gcc make (+ the repo's deps: scripts/install-deps.sh)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
# Host prerequisites, installed when missing (as scripts/install-deps.sh does).
"$HERE/../../scripts/install-deps.sh"
missing=""
for p in qemu-system-x86 qemu-utils e2fsprogs cpio kmod gcc make; do
	case "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -n "$missing" ]; then
	echo "bench/vm: installing:$missing"
	apt-get update -q > /dev/null && apt-get install -y -q --no-install-recommends $missing > /dev/null
fi
TOP=$(cd "$HERE/../.." && pwd)
KVER=6.1.0-56-amd64
VM_DIR=${VM_DIR:-/work/tmp/vm}
BUILD=${BUILD:-build-vm}
DL="$VM_DIR/dl"   # downloaded .debs and their extracted trees
IMG="$VM_DIR/img" # kernel, initramfs and data disk images
mkdir -p "$DL" "$IMG"

cd "$DL"
need() { ls "$1"_*.deb > /dev/null 2>&1 || apt-get download "$1"; }
need linux-image-$KVER-unsigned
need makedumpfile
need kexec-tools
need busybox-static

# --- guest kernel + modules
if [ ! -f kimg/boot/vmlinuz-$KVER ]; then
	rm -rf kimg
	mkdir kimg
	dpkg-deb -x linux-image-$KVER-unsigned_*.deb kimg
	depmod -b kimg $KVER
fi
cmp -s kimg/boot/vmlinuz-$KVER "$IMG/vmlinuz" || cp kimg/boot/vmlinuz-$KVER "$IMG/vmlinuz"
for p in makedumpfile kexec-tools busybox-static; do
	[ -d "x-$p" ] || {
		mkdir "x-$p.tmp"
		dpkg-deb -x ${p}_*.deb "x-$p.tmp"
		mv "x-$p.tmp" "x-$p"
	}
done

# --- fill (static: the first kernel's initramfs has no libc) and coroner
gcc -static -std=gnu11 -O2 -Wall -Wextra -Wshadow -Wvla -Werror -o "$IMG/fill" "$HERE/fill.c"
make -C "$TOP" -j2 BUILD="$BUILD" "$BUILD/coroner"
CORONER="$TOP/$BUILD/coroner"

# --- initramfs staging helpers (as the corpus build's)
MODSRC="$DL/kimg/lib/modules/$KVER"
add_bin() { # $1=root $2=binary -> copies binary + its shared libraries (ldd)
	local root=$1 bin=$2
	install -D -m755 "$bin" "$root/bin/$(basename "$bin")"
	ldd "$bin" 2> /dev/null | grep -o '/[^ ]*' | while read -r lib; do
		install -D -m755 "$lib" "$root$lib"
	done
}
add_mods() { # $1=root, rest=module names (with dependencies)
	local root=$1
	shift
	for m in "$@"; do
		modprobe -d "$DL/kimg" -S $KVER --show-depends "$m" | awk '$1=="insmod"{print $2}' |
			while read -r f; do
				install -D -m644 "$f" "$root/lib/modules/$KVER/${f#"$MODSRC"/}"
			done
	done
	cp "$MODSRC"/modules.builtin* "$MODSRC"/modules.order "$root/lib/modules/$KVER/"
	depmod -b "$root" $KVER
}
mk_base() { # $1=root
	local root=$1
	rm -rf "$root"
	mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,mnt,data,etc,root,lib64}
	install -m755 "$DL/x-busybox-static/bin/busybox" "$root/bin/busybox"
	for a in $("$root/bin/busybox" --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	for a in modprobe insmod rmmod lsmod poweroff reboot; do ln -sf ../bin/busybox "$root/sbin/$a"; done
	install -m755 "$HERE/init" "$root/init"
}
pack() { (cd "$1" && find . | cpio -o -H newc --quiet | gzip -9) > "$2.tmp" && mv "$2.tmp" "$2"; }

# --- capture initramfs (kdump second kernel)
CR="$DL/root-capture"
mk_base "$CR"
add_bin "$CR" "$DL/x-makedumpfile/usr/bin/makedumpfile"
add_bin "$CR" "$CORONER"
add_mods "$CR" virtio_pci virtio_blk ext4 crc32c_generic
pack "$CR" "$IMG/capture.cpio.gz"

# --- main initramfs (first kernel)
MR="$DL/root-main"
mk_base "$MR"
add_bin "$MR" "$DL/x-kexec-tools/sbin/kexec"
install -m755 "$IMG/fill" "$MR/bin/fill"
add_mods "$MR" virtio_pci virtio_blk ext4 crc32c_generic
install -D -m644 "$IMG/vmlinuz" "$MR/boot/vmlinuz"
install -D -m644 "$IMG/capture.cpio.gz" "$MR/boot/capture.cpio.gz"
pack "$MR" "$IMG/main.cpio.gz"

# --- data disk: files the guest copies and reads back into its page cache.
# Binary: part of the kernel's module tree; text: the host's C headers,
# Python and Perl libraries (whatever is installed; sizes go to data.txt).
if [ ! -f "$IMG/data.img" ]; then
	D="$DL/data"
	rm -rf "$D"
	mkdir -p "$D/src/modules" "$D/src/text"
	for d in fs net sound crypto lib arch; do cp -a "$MODSRC/kernel/$d" "$D/src/modules/"; done
	for d in /usr/include /usr/lib/python3.11 /usr/share/perl; do
		[ -d "$d" ] && cp -a "$d" "$D/src/text/$(echo "${d#/}" | tr / _)"
	done
	du -sm "$D/src/modules" "$D/src/text" | sed "s#$D/##" > "$IMG/data.txt"
	# room for the guest's copy of src/ beside it
	MB=$(du -sm "$D/src" | cut -f1)
	truncate -s $((MB * 3 + 256))M "$IMG/data.img.tmp"
	mkfs.ext4 -q -F -L data -O ^has_journal,^metadata_csum -d "$D" "$IMG/data.img.tmp"
	mv "$IMG/data.img.tmp" "$IMG/data.img"
	rm -rf "$D"
fi
ls -la "$IMG"
cat "$IMG/data.txt"
