#!/usr/bin/env python3
"""`make bench`: the same micro-benchmarks on goos and on Linux, side by side.

  scripts/bench.py [--quick] [--boots N] [--check] [--bench BIN] [--kernel ELF]

One static program (tests/bench/bench.c, built by the Makefile) is packed
with a 4 KiB data file into one initramfs and booted as init by:

  goos         build/kernel.elf from a GRUB ISO (goos has only a Multiboot2
               header, which QEMU's -kernel cannot load)
  linux        Debian's linux-image-amd64 kernel (the linux-image-6.1.0-*-amd64
               it depends on), fetched with `apt-get download` and unpacked
               with `dpkg -x` under build/bench/linux/; booted with -kernel
               -initrd, default clocksource (HPET under TCG) and mitigations
  linux-tsc    the same with `clocksource=tsc tsc=reliable`

All three use the same QEMU settings: q35, the accelerator scripts/accel.sh
picks (KVM only with hardware virtualization, else TCG; cpu `host` or `max`,
as scripts/qemu.sh), -smp 2, 512 MiB. The program prints `BENCH name value
unit` per repetition; every figure in the table is the median of all
repetitions of all boots. Output: a table on stdout, build/bench/results.md
and build/bench/results.json.

--quick: shorter timings, one boot each of goos and Linux (no linux-tsc). --check
prints `ok - bench/...` / `not ok - bench/...` lines (for scripts/testrun.py):
every kernel booted and finished, every metric produced a number (goos may say
n/a only for the metrics in GOOS_NOT_YET), the table and JSON were written.
It does not judge the figures.
"""
import argparse
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench")
LINUX_DIR = os.path.join(OUT, "linux")

MACHINE, SMP, MEM = "q35", 2, "512M"

# The metrics, in table order: name, what it measures, target for goos as a
# ratio to Linux (None: no target).
METRICS = [
    ("boot_to_init", "reset to the first instruction of /init (guest TSC)", 0.5),
    ("null_syscall", "syscall(SYS_getpid)", 1.0),
    ("clock_gettime", "clock_gettime(CLOCK_MONOTONIC) via libc (vDSO if any)", 1.0),
    ("pipe_rtt", "1-byte round trip over two pipes, two processes", 1.0),
    ("unix_rtt", "1-byte round trip over an AF_UNIX socketpair", None),
    ("context_switch", "sched_yield between two processes pinned to CPU 0, per switch", 1.0),
    ("fork_exit_wait", "fork, child _exit(0), waitpid", 1.5),
    ("fork_exec_wait", "fork, child execve(/bench exit), waitpid", 1.5),
    ("posix_spawn", "posix_spawn(/bench exit), waitpid", 1.5),
    ("thread_create_join", "pthread_create + pthread_join", 1.5),
    ("futex_pingpong", "FUTEX_WAIT/WAKE round trip between two threads", 1.0),
    ("thread_switch", "sched_yield between two threads pinned to CPU 0, per switch (diagnostic)", None),
    ("futex_pingpong_1cpu", "futex_pingpong with both threads on CPU 0 (diagnostic)", None),
    ("futex_pingpong_2cpu", "futex_pingpong with the threads on CPUs 0 and 1 (diagnostic)", None),
    ("page_fault", "first write to an anonymous page, per page", 1.0),
    ("mmap_munmap_64m", "mmap + munmap of 64 MiB anonymous, untouched", None),
    ("file_create_write_close", "open(O_CREAT) + write 4 KiB + close in /tmp (tmpfs)", None),
    ("file_open_read_close", "open + read 4 KiB + close of an initramfs file", None),
    ("stat", "stat() of an initramfs file", None),
    ("pipe_rtt_1cpu", "pipe_rtt with both processes on CPU 0", None),
    ("pipe_rtt_2cpu", "pipe_rtt with the processes on CPUs 0 and 1", None),
    ("chan_rtt_1cpu", "1-byte round trip over two goos channels (capacity 1), both on CPU 0", None),
    ("chan_rtt_2cpu", "chan_rtt_1cpu with the processes on CPUs 0 and 1", None),
    ("pipe_1m", "1 MiB copied through a pipe to another process, per one-way transfer", None),
    ("own_xfer_1m", "1 MiB of owned pages given to another process over a goos channel, "
     "per one-way transfer (the receiver reads a word of each page)", None),
    ("own_xfer_64k", "own_xfer_1m with 64 KiB: the cost per page (1/16 of the pages)", None),
    ("tcp_rtt", "1-byte round trip over a loopback TCP connection (TCP_NODELAY) between "
     "two processes", 1.0),
    ("tcp_stream_64k", "TCP over loopback between two processes, per 64 KiB written "
     "(throughput = 64 KiB / figure; target: at least 80% of Linux's)", 1.25),
]

# The one place that says which metrics goos cannot run yet (the kernel lacks
# the feature): only these may be n/a on goos. Shrink it as features land.
GOOS_NOT_YET = {
}

# Metrics of goos's own features, which Linux does not have: Linux reports
# them n/a by design; the table says "goos-only" and compares them with the
# goos figure named here instead (target: goos-only / reference <= ratio).
GOOS_ONLY = {
    "chan_rtt_1cpu": ("pipe_rtt_1cpu", 0.5),
    "chan_rtt_2cpu": ("pipe_rtt_2cpu", 0.5),
    "own_xfer_1m": ("pipe_1m", 0.1),
    # Cost growing with pages, not bytes: 64 KiB has 1/16 of 1 MiB's pages;
    # a ratio near 0.0625 means the cost is per page (no target: a report).
    "own_xfer_64k": ("own_xfer_1m", None),
}

# Benchmarks that are planned but not written yet; listed in the output so the
# gap is visible, never given numbers.
LATER = [
    "boot to the shell prompt (needs a shell on goos)",
    "sqlite speedtest1 (application)",
    "busybox sh loop (application)",
    "TCP between the guest and the host over a NIC (guest to host, host to guest)",
]


def log(msg):
    print(f"# {msg}", flush=True)


# ---- inputs ---------------------------------------------------------------
def accel():
    a = subprocess.run([os.path.join(ROOT, "scripts/accel.sh")], capture_output=True,
                       text=True, check=True).stdout.strip()
    return a, ("host" if a == "kvm" else "max")


def fetch_linux():
    """Return the path of Debian's vmlinuz, downloading it once."""
    found = sorted(glob.glob(os.path.join(LINUX_DIR, "boot", "vmlinuz-*")))
    if found:
        return found[-1]
    os.makedirs(LINUX_DIR, exist_ok=True)
    deps = subprocess.run(["apt-cache", "depends", "linux-image-amd64"],
                          capture_output=True, text=True, check=True).stdout
    m = re.search(r"Depends: (linux-image-[0-9][^\s]*-amd64)\b", deps)
    if not m:
        raise RuntimeError("apt-cache: linux-image-amd64 names no linux-image-*-amd64")
    pkg = m.group(1)
    log(f"fetching {pkg} (apt-get download, dpkg -x)")
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        subprocess.run(["apt-get", "download", pkg], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        deb = glob.glob(os.path.join(tmp, "*.deb"))[0]
        subprocess.run(["dpkg", "-x", deb, os.path.join(tmp, "x")], check=True)
        # Only the kernel image is needed (the modules are 400 MB).
        os.makedirs(os.path.join(LINUX_DIR, "boot"), exist_ok=True)
        for f in glob.glob(os.path.join(tmp, "x", "boot", "*")):
            shutil.copy(f, os.path.join(LINUX_DIR, "boot"))
    return sorted(glob.glob(os.path.join(LINUX_DIR, "boot", "vmlinuz-*")))[-1]


def cpio_newc(entries):
    """A newc cpio archive of (name, mode, data) entries."""
    out = bytearray()
    for ino, (name, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        nb = name.encode() + b"\0"
        fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(nb), 0]
        hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
        out += hdr + nb
        out += b"\0" * (-len(out) % 4)
        out += data
        out += b"\0" * (-len(out) % 4)
    return bytes(out)


def make_initramfs(bench_bin, path):
    with open(bench_bin, "rb") as f:
        prog = f.read()
    entries = [
        ("bench", 0o100755, prog),
        ("bench-data", 0o100644, bytes(range(256)) * 16),
        ("tmp", 0o041777, b""),
        ("dev", 0o040755, b""),
    ]
    with open(path, "wb") as f:
        f.write(cpio_newc(entries))


def make_goos_iso(kernel, initramfs, args, path):
    subprocess.run([os.path.join(ROOT, "scripts/mkiso.sh"), kernel, path,
                    "--cmdline", f"quiet init=/bench -- {args}",
                    "--module", initramfs, "initramfs"], check=True)


# ---- boots ----------------------------------------------------------------
def qemu_base(acc, cpu, icount=False):
    # -icount shift=0: the guest clock advances 1 ns per guest instruction,
    # so every figure is an instruction count, the same on a busy host. One
    # CPU: Linux 6.1 hangs bringing up a second CPU under -icount.
    return ["qemu-system-x86_64", "-machine", MACHINE, "-accel", acc, "-cpu", cpu,
            "-smp", "1" if icount else str(SMP), "-m", MEM, "-no-reboot", "-display", "none",
            "-serial", "stdio", "-monitor", "none"] + (["-icount", "shift=0"] if icount else [])


def boot(name, cmd, timeout, logpath):
    """Run QEMU; return (lines, host seconds from start to BENCH_INIT or None,
    host seconds to the first console line, status)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    os.set_blocking(p.stdout.fileno(), False)
    lines, buf, t_init, t_first, status = [], b"", None, None, "exit"
    with open(logpath, "w") as logf:
        while True:
            if time.monotonic() - t0 > timeout:
                status = "timeout"
                break
            chunk = p.stdout.read()
            if chunk:
                now = time.monotonic() - t0
                buf += chunk
                *complete, buf = buf.split(b"\n")
                for raw in complete:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    # Skip the firmware's and GRUB's screen control noise.
                    if t_first is None and re.search(r"\w{4}", line) and "\x1b" not in line:
                        t_first = now
                    if t_init is None and "BENCH_INIT" in line:
                        t_init = now
                    lines.append(line)
                    logf.write(f"[{now:9.3f}] {line}\n")
            elif p.poll() is not None:
                break
            else:
                time.sleep(0.02)
    if p.poll() is None:
        p.kill()
    p.wait()
    if buf:
        lines.append(buf.decode("utf-8", "replace"))
    return lines, t_init, t_first, status


def parse(lines):
    """samples {name: [float]}, units {name: unit}, na {name: reason},
    info {key: value}, errors [str], done (bool)."""
    samples, units, na, info, errors, done = {}, {}, {}, {}, [], False
    for l in lines:
        l = re.sub(r"^.*?(?=BENCH)", "", l)     # a kernel log prefix, if any
        m = re.match(r"^BENCH (\S+) n/a (\S+) ?(.*)$", l)
        if m:
            na[m.group(1)] = m.group(3) or "n/a"
            units[m.group(1)] = m.group(2)
            continue
        m = re.match(r"^BENCH (\S+) ([0-9.]+) (\S+)$", l)
        if m:
            samples.setdefault(m.group(1), []).append(float(m.group(2)))
            units[m.group(1)] = m.group(3)
            continue
        m = re.match(r"^BENCH_INFO (\S+) (.*)$", l)
        if m:
            info[m.group(1)] = m.group(2)
            continue
        m = re.match(r"^BENCH_ERROR (\S+) (.*)$", l)
        if m:
            errors.append(f"{m.group(1)}: {m.group(2)}")
            continue
        if l.startswith("BENCH_DONE"):
            done = True
    return samples, units, na, info, errors, done


class Side:
    """One kernel configuration and everything its boots produced."""

    def __init__(self, key, title):
        self.key, self.title = key, title
        self.samples, self.units, self.na, self.info = {}, {}, {}, {}
        self.errors, self.boots, self.booted, self.finished = [], 0, 0, 0
        self.host_init, self.host_first = [], []

    def add_boot(self, lines, t_init, t_first, status):
        self.boots += 1
        samples, units, na, info, errors, done = parse(lines)
        self.booted += t_init is not None
        self.finished += done and status == "exit"
        if status == "timeout":
            self.errors.append("timeout")
        for k, v in samples.items():
            self.samples.setdefault(k, []).extend(v)
        self.units.update(units)
        self.na.update(na)
        self.info.update(info)
        self.errors += errors
        if t_init is not None:
            self.host_init.append(t_init * 1e3)
            if t_first is not None:
                self.host_first.append(t_first * 1e3)

    def spread(self, name):
        v = self.samples.get(name)
        return [min(v), max(v)] if v else None

    def median(self, name):
        v = self.samples.get(name)
        return statistics.median(v) if v else None


# ---- output ---------------------------------------------------------------
def fmt(v):
    if v is None:
        return "-"
    return f"{v:.0f}" if v >= 100 else f"{v:.2f}" if v >= 1 else f"{v:.3f}"


def cell(side, name):
    if name in side.samples:
        return fmt(side.median(name))
    if name in side.na:
        if side.key != "goos" and name in GOOS_ONLY:
            return "goos-only"
        return "n/a (not supported yet)" if side.key == "goos" else "n/a"
    return "-"


def ratio(goos, other, name):
    a, b = goos.median(name), other.median(name)
    return a / b if a is not None and b else None


def target_text(target, r):
    if target is None:
        return ""
    if r is None:
        return f"<= {target}x: not measured"
    return f"<= {target}x: {'met' if r <= target else 'missed'}"


def build_report(sides, meta):
    goos, linux, ltsc = sides["goos"], sides["linux"], sides.get("linux-tsc")
    rows = []
    for name, what, target in METRICS:
        unit = goos.units.get(name) or linux.units.get(name) or ""
        r = ratio(goos, linux, name)
        row = dict(metric=name, unit=unit, what=what,
                   goos=goos.median(name), linux=linux.median(name), ratio=r,
                   goos_na=goos.na.get(name), target=target,
                   range=dict(goos=goos.spread(name), linux=linux.spread(name)),
                   target_met=None if target is None or r is None else r <= target,
                   samples=dict(goos=len(goos.samples.get(name, [])),
                                linux=len(linux.samples.get(name, []))))
        if ltsc:
            rt = ratio(goos, ltsc, name)
            row.update(linux_tsc=ltsc.median(name), ratio_tsc=rt,
                       target_met_tsc=None if target is None or rt is None else rt <= target)
            row["samples"]["linux_tsc"] = len(ltsc.samples.get(name, []))
            row["range"]["linux_tsc"] = ltsc.spread(name)
        rows.append(row)

    head = ["metric", "unit", "goos", "Linux", "goos/Linux"]
    if ltsc:
        head += ["Linux tsc", "goos/Linux tsc"]
    head += ["target (vs Linux / Linux tsc)" if ltsc else "target (vs Linux)"]
    icount_note = ("QEMU -icount shift=0: the guest clock advances one nanosecond per guest "
                   "instruction, so each figure counts instructions (1 ns = 1 instruction, "
                   "1 us = 1000, 1 ms = 10^6), including the time-keeping instructions of the "
                   "measuring loop and idle time spent in hlt (none in these loops); repeatable "
                   "and unaffected by host load, but blind to how costly each instruction is "
                   "to emulate (CR3 writes, TLB flushes, I/O). One CPU (Linux 6.1 hangs "
                   "starting a second under -icount), so the metrics that need two are n/a. "
                   if meta.get("icount") else "")
    md = [icount_note + f"Accelerator: {meta['accel']} (cpu {meta['cpu']}), machine {MACHINE}, "
          f"-smp {meta['smp']}, {MEM}; Linux {meta['linux_version']} (Debian {meta['linux_package']}); "
          f"goos {meta['goos_version']}. Linux clocksource: "
          f"{meta['clocksource'].get('linux')} (default)"
          + (f", {meta['clocksource'].get('linux-tsc')} (clocksource=tsc tsc=reliable)" if ltsc else "")
          + f". {meta['boots']} boot(s) per kernel, "
          f"{'quick' if meta['quick'] else 'full'} mode; each figure is a median. "
          f"Host: {meta['host_cpus']} CPUs, load average {meta['host_load'][0]} before, "
          f"{meta['host_load'][1]} after (other work on the host makes the figures noisy; "
          f"results.json has each figure's range). {meta['date']}.", "",
          "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        cells = [row["metric"], row["unit"], cell(goos, row["metric"]),
                 cell(linux, row["metric"]), fmt(row["ratio"])]
        if ltsc:
            cells += [cell(ltsc, row["metric"]), fmt(row["ratio_tsc"])]
        t = target_text(row["target"], row["ratio"])
        if ltsc and row["target"] is not None:
            t += " / " + ("met" if row["target_met_tsc"] else "missed"
                          if row["ratio_tsc"] is not None else "-")
        cells.append(t)
        md.append("| " + " | ".join(cells) + " |")
    md.append("")
    for name, (ref, target) in GOOS_ONLY.items():
        a, b = goos.median(name), goos.median(ref)
        r = a / b if a is not None and b else None
        md.append(f"goos-only {name} / {ref} (both goos): {fmt(r)}; "
                  f"{target_text(target, r).replace('x:', 'x of ' + ref + ':')}")
    md.append("")
    if goos.host_first and goos.host_init:
        md.append(f"goos boot, host clock: QEMU start to goos's first console line "
                  f"(firmware + GRUB + kernel load) {statistics.median(goos.host_first):.0f} ms, "
                  f"to /init {statistics.median(goos.host_init):.0f} ms; "
                  f"so about {statistics.median(goos.host_init) - statistics.median(goos.host_first):.0f} ms "
                  f"of goos's boot_to_init is the kernel itself.")
    for s in sides.values():
        if s.host_init:
            md.append(f"{s.title}: QEMU start to /init on the host clock {statistics.median(s.host_init):.0f} ms.")
    md.append("")
    md.append("Not measured yet (no numbers are given for these): " + "; ".join(LATER) + ".")
    return rows, "\n".join(md) + "\n"


# ---- main -----------------------------------------------------------------
def run(args):
    os.makedirs(OUT, exist_ok=True)
    acc, cpu = accel()
    if args.icount and acc != "tcg":
        raise RuntimeError("--icount needs TCG (QEMU cannot count instructions under KVM)")
    sfx = "-icount" if args.icount else ""
    vmlinuz = fetch_linux()
    initramfs = os.path.join(OUT, "initramfs.cpio")
    make_initramfs(args.bench, initramfs)
    gargs = "quick" if args.quick else ""
    iso = os.path.join(OUT, "goos.iso")
    make_goos_iso(args.kernel, initramfs, gargs, iso)
    timeout = args.timeout or (90 if args.quick else 900)

    linux_append = f"console=ttyS0 quiet panic=-1 rdinit=/bench"
    configs = [
        ("goos", "goos", qemu_base(acc, cpu, args.icount) + ["-boot", "d", "-cdrom", iso]),
        ("linux", "Linux", qemu_base(acc, cpu, args.icount) + [
            "-kernel", vmlinuz, "-initrd", initramfs,
            "-append", f"{linux_append} -- {gargs}"]),
        ("linux-tsc", "Linux (clocksource=tsc tsc=reliable)", qemu_base(acc, cpu, args.icount) + [
            "-kernel", vmlinuz, "-initrd", initramfs,
            "-append", f"{linux_append} clocksource=tsc tsc=reliable -- {gargs}"]),
    ]
    if args.quick:
        configs = configs[:2]   # the test only needs both kernels to work
    sides = {key: Side(key, title) for key, title, _ in configs}
    load_before = os.getloadavg()[0]
    for i in range(args.boots):
        for key, title, cmd in configs:
            t = time.monotonic()
            res = boot(key, cmd, timeout, os.path.join(OUT, f"{key}{sfx}-{i}.log"))
            sides[key].add_boot(*res)
            log(f"boot {key} #{i + 1}: {res[3]}, {time.monotonic() - t:.1f}s")

    meta_cs = {k: s.info.get("clocksource", "?") for k, s in sides.items()}
    lver = sides["linux"].info.get("uname", "").split(" ")[-1] or os.path.basename(vmlinuz)[8:]
    meta = dict(accel=acc, cpu=cpu, machine=MACHINE, smp=1 if args.icount else SMP, mem=MEM,
                quick=args.quick,
                icount=args.icount,
                boots=args.boots, linux_version=lver,
                linux_package=os.path.basename(vmlinuz).replace("vmlinuz-", "linux-image-"),
                goos_version=sides["goos"].info.get("uname", "? ?").split(" ")[-1],
                clocksource=meta_cs, host_cpus=os.cpu_count(),
                host_load=[round(load_before, 2), round(os.getloadavg()[0], 2)], date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    rows, md = build_report(sides, meta)
    md_path = os.path.join(OUT, f"results{sfx}.md")
    json_path = os.path.join(OUT, f"results{sfx}.json")
    for p in (md_path, json_path):
        if os.path.exists(p):
            os.unlink(p)
    with open(md_path, "w") as f:
        f.write(md)
    with open(json_path, "w") as f:
        json.dump(dict(meta=meta, metrics=rows, not_measured_yet=LATER,
                       goos_not_yet=GOOS_NOT_YET,
                       goos_only={k: dict(reference=v[0], target=v[1]) for k, v in GOOS_ONLY.items()},
                       errors={k: s.errors for k, s in sides.items()}), f, indent=1)
    print(md, end="")
    return sides, md_path, json_path


def check(sides, md_path, json_path):
    """ok/not ok lines; True if all passed."""
    results = []

    def add(name, ok, detail="", note=""):
        results.append(ok)
        tail = f" # {note}" if ok and note else f": {detail}" if not ok and detail else ""
        print(f"{'ok' if ok else 'not ok'} - bench/{name}{tail}", flush=True)

    for key, s in sides.items():
        add(f"{key}/booted", s.booted == s.boots, f"{s.booted} of {s.boots} boots reached /init")
        add(f"{key}/finished", s.finished == s.boots and not s.errors,
            "; ".join(s.errors) or f"{s.finished} of {s.boots} boots finished and powered off")
        for name, _, _ in METRICS:
            if name in s.samples:
                add(f"{key}/{name}", True)
            elif name in s.na and key != "goos" and name in GOOS_ONLY:
                add(f"{key}/{name}", True, note="goos-only: n/a on Linux by design")
            elif name in s.na:
                allowed = key == "goos" and name in GOOS_NOT_YET
                why = "but not listed in GOOS_NOT_YET" if key == "goos" else "on Linux"
                add(f"{key}/{name}", allowed, f"n/a ({s.na[name]}) {why}",
                    f"n/a, not supported yet: {GOOS_NOT_YET.get(name)}")
            else:
                add(f"{key}/{name}", False, "no figure")
    for p in (md_path, json_path):
        add(f"wrote-{os.path.basename(p)}", os.path.getsize(p) > 0 if os.path.exists(p) else False)
    try:
        with open(json_path) as f:
            n = len(json.load(f)["metrics"])
        add("json-parses", n == len(METRICS), f"{n} metrics")
    except (OSError, ValueError, KeyError) as e:
        add("json-parses", False, str(e))
    return all(results)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--boots", type=int)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--icount", action="store_true",
                    help="count guest instructions (QEMU -icount shift=0) instead of timing")
    ap.add_argument("--timeout", type=int, help="seconds per boot")
    ap.add_argument("--bench", default=os.path.join(OUT, "bench"))
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "kernel.elf"))
    args = ap.parse_args()
    if args.boots is None:
        args.boots = 1 if args.quick else 3
    try:
        sides, md_path, json_path = run(args)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        print(f"not ok - bench/run: {e}" if args.check else f"bench: {e}", flush=True)
        return 1
    if args.check:
        return 0 if check(sides, md_path, json_path) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
