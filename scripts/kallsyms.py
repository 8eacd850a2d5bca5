#!/usr/bin/env python3
"""Turn `nm -n kernel.elf` (stdin) into an assembly file with the kernel's
text symbols, for kernel/kallsyms.c: sorted addresses, name offsets, names."""
import sys

syms = []
for line in sys.stdin:
    parts = line.split()
    if len(parts) != 3:
        continue
    addr, kind, name = parts
    if kind not in "TtWw" or name.startswith("kallsyms_") or name.startswith(".L"):
        continue
    syms.append((int(addr, 16), name))

# One name per address: prefer the global (first seen after sort) name.
seen = {}
for addr, name in syms:
    seen.setdefault(addr, name)
syms = sorted(seen.items())

out = ['\t.section .kallsyms, "a"', "\t.balign 8"]
out += ["\t.globl kallsyms_num", "kallsyms_num:", f"\t.quad {len(syms)}"]
out += ["\t.globl kallsyms_addrs", "kallsyms_addrs:"]
out += [f"\t.quad 0x{a:x}" for a, _ in syms]
out += ["\t.globl kallsyms_name_offs", "kallsyms_name_offs:"]
off = 0
for _, name in syms:
    out.append(f"\t.long {off}")
    off += len(name) + 1
out += ["\t.globl kallsyms_names", "kallsyms_names:"]
out += [f'\t.asciz "{name}"' for _, name in syms]
print("\n".join(out))
