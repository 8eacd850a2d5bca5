#!/usr/bin/env python3
"""Disk images for the block-layer tests (tests/kernel/block_test.c).

  scripts/mkdisk.py make mbr|gpt IMG     write a 8 MiB test image
  scripts/mkdisk.py verify IMG           check it after the guest's writes

Every sector s outside the partition tables holds 64 little-endian words
PATTERN(s, i) = 0xb10c << 48 | s << 16 | i. Sector 0 starts with
"GOOSTEST-MBR" or "GOOSTEST-GPT" (in the MBR's boot-code area) so the
in-kernel test recognises the disk and knows its layout:
  partition 1: sectors 2048..6143, partition 2: 6144..14335 (both schemes);
  MBR only: an extended partition 3 at 14336 (2048 sectors) holding one
  logical partition 5 at 14400 (1024 sectors).
The guest writes the complement ~PATTERN(s, i) into WRITTEN sectors (a
buffer-cache block and a direct write, see the test) and flushes; verify
checks those hold the complement and every other sector is unchanged.
"""
import struct
import sys
import uuid
import zlib

SECTORS = 16384
WRITTEN = list(range(2048 + 6, 2048 + 8)) + list(range(6144 + 100, 6144 + 108))
TABLE_SECTORS_MBR = {0, 14336}
TABLE_SECTORS_GPT = set(range(0, 34)) | set(range(SECTORS - 33, SECTORS))


def pattern(s, flip=False):
    words = [(0xB10C << 48) | (s << 16) | i for i in range(64)]
    if flip:
        words = [~w & 0xFFFFFFFFFFFFFFFF for w in words]
    return struct.pack("<64Q", *words)


def mbr_entry(ptype, start, count):
    return struct.pack("<B3sB3sII", 0, b"\0\0\0", ptype, b"\0\0\0", start, count)


def sector0(stamp, entries):
    s = bytearray(512)
    s[0:len(stamp)] = stamp
    for i, e in enumerate(entries):
        s[446 + 16 * i:462 + 16 * i] = e
    s[510:512] = b"\x55\xaa"
    return bytes(s)


def make_mbr(img):
    img[0:512] = sector0(b"GOOSTEST-MBR", [mbr_entry(0x83, 2048, 4096),
                                           mbr_entry(0x83, 6144, 8192),
                                           mbr_entry(0x05, 14336, 2048)])
    ebr = sector0(b"", [mbr_entry(0x83, 64, 1024)])
    img[14336 * 512:14337 * 512] = ebr


def gpt_header(my, alt, entries_lba, entries_crc):
    h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt,
                    34, SECTORS - 34, uuid.UUID(int=0x600D).bytes_le, entries_lba,
                    128, 128, entries_crc)
    h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
    return h + bytes(512 - len(h))


def make_gpt(img):
    linux = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4").bytes_le
    entries = bytearray(128 * 128)
    for i, (first, last) in enumerate([(2048, 6143), (6144, 14335)]):
        entries[128 * i:128 * (i + 1)] = struct.pack(
            "<16s16sQQQ72s", linux, uuid.UUID(int=i + 1).bytes_le, first, last, 0,
            f"part{i + 1}".encode("utf-16-le"))
    ecrc = zlib.crc32(entries)
    img[0:512] = sector0(b"GOOSTEST-GPT", [mbr_entry(0xEE, 1, SECTORS - 1)])
    img[512:1024] = gpt_header(1, SECTORS - 1, 2, ecrc)
    img[1024:1024 + len(entries)] = entries
    img[(SECTORS - 33) * 512:(SECTORS - 1) * 512] = entries
    img[(SECTORS - 1) * 512:] = gpt_header(SECTORS - 1, 1, SECTORS - 33, ecrc)


def make(kind, path):
    img = bytearray(b"".join(pattern(s) for s in range(SECTORS)))
    (make_mbr if kind == "mbr" else make_gpt)(img)
    with open(path, "wb") as f:
        f.write(img)


def verify(path):
    """Return a list of problems (empty: the guest's writes are on disk)."""
    with open(path, "rb") as f:
        img = f.read()
    if len(img) != SECTORS * 512:
        return [f"size {len(img)}"]
    kind = img[:12]
    tables = TABLE_SECTORS_MBR if kind == b"GOOSTEST-MBR" else TABLE_SECTORS_GPT
    bad = []
    for s in range(SECTORS):
        if s in tables:
            continue
        want = pattern(s, flip=s in WRITTEN)
        if img[s * 512:(s + 1) * 512] != want:
            bad.append(f"sector {s}: {'not written' if s in WRITTEN else 'changed'}")
    return bad


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make" and sys.argv[2] in ("mbr", "gpt"):
        make(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "verify":
        problems = verify(sys.argv[2])
        for p in problems[:20]:
            print(p)
        sys.exit(1 if problems else 0)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
