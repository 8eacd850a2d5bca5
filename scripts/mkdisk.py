#!/usr/bin/env python3
"""Disk images for the block-layer tests (tests/kernel/block_test.c).

  scripts/mkdisk.py make mbr|gpt IMG [BS [ro]]  write a 8 MiB test image
                    for a disk with BS-byte blocks (512); "ro": the disk
                    will be attached read-only (the guest must not write)
  scripts/mkdisk.py verify IMG             check it after the guest's writes

Every sector s outside the partition tables holds 64 little-endian words
PATTERN(s, i) = 0xb10c << 48 | s << 16 | i. Sector 0 starts with
"GOOSTEST-MBR" or "GOOSTEST-GPT" (in the MBR's boot-code area, with the
block size as a 32-bit word at byte 16) so the in-kernel test recognises
the disk and knows its layout, the same in 512-byte sectors for both
block sizes (the tables count in blocks):
  partition 1: sectors 2048..6143, partition 2: 6144..14335 (both schemes);
  MBR only: an extended partition 3 at 14336 (2048 sectors) holding one
  logical partition 5 at 14400 (1024 sectors).
The guest writes the complement ~PATTERN(s, i) into WRITTEN sectors (a
4 KiB buffer-cache block and a direct 4 KiB write, see the test) and
flushes; verify
checks those hold the complement and every other sector is unchanged.

For the ext2 round trip (tests/user/disk_ext2.c):
  scripts/mkdisk.py ext2 IMG                 a 256 MiB image from mke2fs
  scripts/mkdisk.py ext2-check IMG GEN       e2fsck -fn, then debugfs reads
                    of what the guest's "write" phase left (GEN: the host
                    build of disk_ext2, whose "gen" prints /big's bytes)
"""
import os
import re
import struct
import subprocess
import sys
import uuid
import zlib

SECTORS = 16384
WRITTEN = (list(range(2048 + 8, 2048 + 16)) + list(range(6144 + 104, 6144 + 112)) +
           list(range(6144 + 200, 6144 + 264)))   # written back on eviction
ENTRY_BYTES = 128 * 128


def table_sectors(kind, bs):
    """Sectors holding partition tables (not the pattern)."""
    spb = bs // 512
    if kind == b"GOOSTEST-MBR":
        blocks = {0, 14336 // spb}
    else:
        eb = ENTRY_BYTES // bs
        blocks = set(range(0, 2 + eb)) | set(range(SECTORS // spb - 1 - eb, SECTORS // spb))
    return {b * spb + i for b in blocks for i in range(spb)}


def pattern(s, flip=False):
    words = [(0xB10C << 48) | (s << 16) | i for i in range(64)]
    if flip:
        words = [~w & 0xFFFFFFFFFFFFFFFF for w in words]
    return struct.pack("<64Q", *words)


def mbr_entry(ptype, start, count):
    return struct.pack("<B3sB3sII", 0, b"\0\0\0", ptype, b"\0\0\0", start, count)


def sector0(stamp, entries, bs, ro=False):
    s = bytearray(bs)
    s[0:len(stamp)] = stamp
    if stamp:
        s[16:20] = struct.pack("<I", bs)
        s[20] = ord("R") if ro else 0
    for i, e in enumerate(entries):
        s[446 + 16 * i:462 + 16 * i] = e
    s[510:512] = b"\x55\xaa"
    return bytes(s)


def make_mbr(img, bs, ro):
    b = lambda sectors: sectors * 512 // bs         # the MBR counts blocks
    img[0:bs] = sector0(b"GOOSTEST-MBR", [mbr_entry(0x83, b(2048), b(4096)),
                                          mbr_entry(0x83, b(6144), b(8192)),
                                          mbr_entry(0x05, b(14336), b(2048))], bs, ro)
    img[14336 * 512:14336 * 512 + bs] = sector0(b"", [mbr_entry(0x83, b(64), b(1024))], bs)


def gpt_header(my, alt, entries_lba, entries_crc, bs):
    blocks, eb = SECTORS * 512 // bs, ENTRY_BYTES // bs
    h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, my, alt,
                    2 + eb, blocks - 2 - eb, uuid.UUID(int=0x600D).bytes_le, entries_lba,
                    128, 128, entries_crc)
    h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
    return h + bytes(bs - len(h))


def make_gpt(img, bs, ro):
    blocks, eb, spb = SECTORS * 512 // bs, ENTRY_BYTES // bs, bs // 512
    linux = uuid.UUID("0fc63daf-8483-4772-8e79-3d69d8477de4").bytes_le
    entries = bytearray(128 * 128)
    for i, (first, last) in enumerate([(2048, 6143), (6144, 14335)]):
        entries[128 * i:128 * (i + 1)] = struct.pack(
            "<16s16sQQQ72s", linux, uuid.UUID(int=i + 1).bytes_le, first // spb,
            (last + 1) // spb - 1, 0,
            f"part{i + 1}".encode("utf-16-le"))
    ecrc = zlib.crc32(entries)
    img[0:bs] = sector0(b"GOOSTEST-GPT", [mbr_entry(0xEE, 1, blocks - 1)], bs, ro)
    img[bs:2 * bs] = gpt_header(1, blocks - 1, 2, ecrc, bs)
    img[2 * bs:2 * bs + len(entries)] = entries
    img[(blocks - 1 - eb) * bs:(blocks - 1) * bs] = entries
    img[(blocks - 1) * bs:] = gpt_header(blocks - 1, 1, blocks - 1 - eb, ecrc, bs)


def make(kind, path, bs=512, ro=False):
    img = bytearray(b"".join(pattern(s) for s in range(SECTORS)))
    (make_mbr if kind == "mbr" else make_gpt)(img, bs, ro)
    with open(path, "wb") as f:
        f.write(img)


def verify(path):
    """Return a list of problems (empty: the guest's writes are on disk)."""
    with open(path, "rb") as f:
        img = f.read()
    if len(img) != SECTORS * 512:
        return [f"size {len(img)}"]
    tables = table_sectors(img[:12], struct.unpack("<I", img[16:20])[0])
    written = [] if img[20] == ord("R") else WRITTEN
    bad = []
    for s in range(SECTORS):
        if s in tables:
            continue
        want = pattern(s, flip=s in written)
        if img[s * 512:(s + 1) * 512] != want:
            bad.append(f"sector {s}: {'not written' if s in written else 'changed'}")
    return bad


EXT2_MB = 256


def make_ext2(path):
    with open(path, "wb") as f:
        f.truncate(EXT2_MB << 20)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext2", "-b", "4096", path], check=True,
                   capture_output=True)


def debugfs(path, cmd, binary=False):
    p = subprocess.run(["debugfs", "-R", cmd, path], capture_output=True)
    return p.stdout if binary else p.stdout.decode("utf-8", "replace")


def fsck(path):
    """e2fsck -fn: [] when it reports the image clean."""
    p = subprocess.run(["e2fsck", "-fn", path], capture_output=True, text=True)
    return [] if p.returncode == 0 else [f"e2fsck -fn exit {p.returncode}: " +
                                         (p.stdout + p.stderr)[-600:]]


def ls(path, d):
    """The names in directory d (debugfs ls -p: /ino/mode/uid/gid/name/size/)."""
    return {l.split("/")[5] for l in debugfs(path, f"ls -p {d}").splitlines()
            if l.count("/") >= 6 and l.split("/")[1] != "0"}   # 0: a removed first record


def stat_field(text, pat):
    m = re.search(pat, text)
    return m.group(1) if m else None


def check_ext2(path, gen):
    """What the guest's write phase must have left: a list of problems."""
    bad = fsck(path)
    big = debugfs(path, "cat /big", binary=True)
    want = subprocess.run([gen, "gen"], capture_output=True, check=True).stdout
    if big != want:
        bad.append(f"/big: {len(big)} bytes read, {len(want)} expected, contents differ")
    names = ls(path, "/many")
    expect = {f"f{n:05d}" for n in range(10000) if n % 10} | {".", ".."}
    if names != expect:
        bad.append(f"/many: {len(names)} names, {len(names ^ expect)} differ from the expected")
    conc = ls(path, "/conc/shared")
    want = {f"w{w}-{n}" for w in range(4) for n in range(0, 200, 2)} | {".", ".."}
    if conc != want or ls(path, "/conc") != {".", "..", "shared"}:
        bad.append(f"/conc: {len(conc ^ want)} names differ from the 4 x 100 expected")
    if debugfs(path, "cat /conc/shared/w3-198") != "d" * 3000:
        bad.append("/conc/shared/w3-198: not 3000 'd'")
    for n in (1, 4321, 9999):
        got = debugfs(path, f"cat /many/f{n:05d}")
        if got != f"f{n:05d}":
            bad.append(f"/many/f{n:05d} holds {got!r}")
    want_mapped = "".join(chr(ord("a") + i % 26) for i in range(3 * 4096))
    if debugfs(path, "cat /mapped") != want_mapped:
        bad.append("/mapped: the bytes stored through a shared mapping are not on the volume")
    files = {"/d/c": "bravo\n", "/d/sub/renamed": "alpha\n", "/d/sub/moved": None}
    for f, text in files.items():
        got = debugfs(path, f"cat {f}")
        if text is not None and got != text:
            bad.append(f"{f} holds {got!r}")
    have = ls(path, "/d")
    want = {".", "..", "sub", "c", "hard", "fast", "slow", "fifo", "null"}
    if have != want:
        bad.append(f"/d lists {sorted(have)}, expected {sorted(want)}")
    st = debugfs(path, "stat /d/c")
    checks = [(st, r"Links: (\d+)", "2", "/d/c links"), (st, r"User:\s+(\d+)", "1000", "/d/c uid"),
              (st, r"Group:\s+(\d+)", "100", "/d/c gid"), (st, r"Mode:\s+(\d+)", "0640", "/d/c mode"),
              (st, r"mtime: 0x([0-9a-f]+)", "499602d2", "/d/c mtime")]
    fast = debugfs(path, "stat /d/fast")
    checks.append((fast, r'Fast link dest: "([^"]*)"', "sub/renamed", "/d/fast target"))
    slow = debugfs(path, "cat /d/slow")
    checks.append((slow, r"^(.*)$", "/long/" + "L" * 193, "/d/slow target (a block)"))
    tr = debugfs(path, "stat /trunc")
    checks.append((tr, r"Size: (\d+)", str(10 << 20), "/trunc size"))
    checks.append((debugfs(path, "stat /d/null"), r"Device major/minor number: (\S+ \S+)",
                   "01:03", "/d/null device"))
    checks.append((debugfs(path, "stat /d/fifo"), r"Type: (\w+)", "FIFO", "/d/fifo type"))
    for text, pat, want, what in checks:
        got = stat_field(text, pat)
        if got is None or not got.startswith(want) and got != want:
            bad.append(f"{what}: {got!r}, expected {want!r}")
    tail = debugfs(path, "cat /trunc", binary=True)
    if len(tail) != 10 << 20 or tail[:5000] != b"T" * 5000 or tail[5000:-3].count(0) != len(tail) - 5003 \
            or tail[-3:] != b"end":
        bad.append("/trunc: not 5000 T, zeros, 'end'")
    if "open-unlinked" in ls(path, "/"):
        bad.append("/open-unlinked still listed")
    return bad


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "ext2":
        make_ext2(sys.argv[2])
        sys.exit(0)
    if len(sys.argv) == 4 and sys.argv[1] == "ext2-check":
        problems = check_ext2(sys.argv[2], sys.argv[3])
        for p in problems[:20]:
            print(p)
        sys.exit(1 if problems else 0)
    if 4 <= len(sys.argv) <= 6 and sys.argv[1] == "make" and sys.argv[2] in ("mbr", "gpt"):
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) >= 5 else 512,
             len(sys.argv) == 6 and sys.argv[5] == "ro")
    elif len(sys.argv) == 3 and sys.argv[1] == "verify":
        problems = verify(sys.argv[2])
        for p in problems[:20]:
            print(p)
        sys.exit(1 if problems else 0)
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
