#!/usr/bin/python3
# Compares the page bitmaps of two kdump-compressed dumps (makedumpfile 1.7
# diskdump_mod.h layout: block_size at 428, sub_hdr_size at 432, bitmap_blocks
# at 436 of disk_dump_header; 1st then 2nd bitmap after 1 + sub_hdr_size blocks).
# Prints one line per bitmap: "bitmapN: A pages in X, B in Y, D differ (first pfn 0x..)".
# Exit status 0 if both bitmaps are equal over the shorter length (and the
# longer has no bits set beyond it), 1 otherwise.
import struct, sys

def bitmaps(path):
    with open(path, 'rb') as f:
        h = f.read(464)
        if h[:8] != b'KDUMP   ':
            sys.exit('%s: not a kdump-compressed file' % path)
        bs, sub, blocks = struct.unpack_from('<iiI', h, 428)
        f.seek((1 + sub) * bs)
        data = f.read(blocks * bs)
        half = len(data) // 2
        return data[:half], data[half:]

def popcount(b):
    return sum(bin(x).count('1') for x in b)

a, b = bitmaps(sys.argv[1]), bitmaps(sys.argv[2])
ok = True
for i in (0, 1):
    x, y = a[i], b[i]
    n = min(len(x), len(y))
    diff = [k for k in range(n) if x[k] != y[k]]
    extra = popcount(x[n:]) + popcount(y[n:])
    first = ''
    if diff:
        k = diff[0]
        bit = (x[k] ^ y[k]) & -(x[k] ^ y[k])
        first = ' (first pfn 0x%x)' % (k * 8 + bit.bit_length() - 1)
    ndiff = sum(bin(x[k] ^ y[k]).count('1') for k in diff)
    print('bitmap%d: %d pages in %s, %d in %s, %d differ%s, %d beyond the shorter' %
          (i + 1, popcount(x), sys.argv[1], popcount(y), sys.argv[2], ndiff, first, extra))
    ok = ok and ndiff == 0 and extra == 0
sys.exit(0 if ok else 1)
