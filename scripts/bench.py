#!/usr/bin/env python3
"""`make bench`: the same micro-benchmarks on goos and on Linux, side by side.

  scripts/bench.py [--quick] [--boots N] [--check] [--bench BIN] [--kernel ELF]

One static program (tests/bench/bench.c, built by the Makefile) is packed
with a 4 KiB data file, the ports' busybox (applet links included) and
speedtest1, the shell workload tests/bench/shloop.sh and the run image's /etc
(user/rootfs) into one initramfs and booted as init by:

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
repetitions of all boots. Each kernel also boots a second time per round,
`/bench shell`, which hands PID 1 to busybox init: the host times the login
shell's prompt on the serial port (boot_to_shell), types a command and
`poweroff`. Output: a table on stdout, build/bench/results.md and
build/bench/results.json.

Adding a benchmark: a row in METRICS (table order, description, target), and
either an entry in bench.c's `benches` (per-operation) or `apps` (a whole
program run), or a figure the host measures (HOST_METRICS, like boot_to_shell).

--quick: shorter timings, one boot each of goos and Linux (no linux-tsc). --check
prints `ok - bench/...` / `not ok - bench/...` lines (for scripts/testrun.py):
every kernel booted and finished, reached a working shell in its shell boot,
every metric produced a positive number (goos may say n/a only for the metrics
in GOOS_NOT_YET, Linux only for GOOS_ONLY), the table and JSON were written
and every kernel column of the written table holds a number or an explicit n/a.
It does not judge the figures.
"""
import argparse
import glob
import json
import math
import os
import re
import select
import shutil
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench")
LINUX_DIR = os.path.join(OUT, "linux")

MACHINE, SMP, MEM = "q35", 2, "512M"

# The metrics, in table order: name, what it measures, target for goos as a
# ratio to Linux (None: no target).
METRICS = [
    ("boot_to_init", "reset to the first instruction of /init (guest TSC)", 0.5),
    ("boot_to_shell", "reset to the shell prompt: to /init on the guest TSC, then to the "
     "prompt on the serial port (host clock); busybox init, rcS, login sh", None),
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
    ("tcp_host_send_64k", "TCP from the guest to a sink on the host, through an e1000 and "
     "QEMU's user network, per 64 KiB (target: at least 80% of Linux's throughput)", 1.25),
    ("tcp_host_recv_64k", "TCP from a source on the host to the guest, the same way, per "
     "64 KiB (target: at least 80% of Linux's throughput)", 1.25),
    ("tcp_host_rtt", "1-byte request echoed by the host over TCP through the e1000", None),
    # Application benchmarks: one whole program run each, in ms.
    ("speedtest1", "sqlite speedtest1 --size 5 (quick: 1), database in tmpfs /tmp; whole run", None),
    ("sh_loop", "busybox sh tests/bench/shloop.sh, 30 iterations (quick: 3) of "
     "seq/cat/echo|cut|tr|sort|wc/grep/sed/head/ls/rm on tmpfs; whole run", None),
]

# Metrics the host measures itself (not printed by the guest program): unit.
HOST_METRICS = {"boot_to_shell": "ms"}

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
]


def log(msg):
    print(f"# {msg}", flush=True)


# ---- inputs ---------------------------------------------------------------
def accel():
    a = subprocess.run([os.path.join(ROOT, "scripts/accel.sh")], capture_output=True,
                       text=True, check=True).stdout.strip()
    return a, ("host" if a == "kvm" else "max")


def fetch_linux():
    """Return the paths of Debian's vmlinuz and of its e1000 module (the
    guest-host TCP benchmarks need a NIC; Debian builds the driver as a
    module), downloading the package once."""
    found = sorted(glob.glob(os.path.join(LINUX_DIR, "boot", "vmlinuz-*")))
    module = os.path.join(LINUX_DIR, "e1000.ko")
    if found and os.path.exists(module):
        return found[-1], module
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
        # Only the kernel image and one module are needed (the modules are 400 MB).
        os.makedirs(os.path.join(LINUX_DIR, "boot"), exist_ok=True)
        for f in glob.glob(os.path.join(tmp, "x", "boot", "*")):
            shutil.copy(f, os.path.join(LINUX_DIR, "boot"))
        ko = glob.glob(os.path.join(tmp, "x", "lib", "modules", "*", "kernel", "drivers", "net",
                                    "ethernet", "intel", "e1000", "e1000.ko*"))
        if not ko:
            raise RuntimeError(f"{pkg} has no e1000 module")
        if ko[0].endswith(".xz"):
            subprocess.run(["xz", "-dk", ko[0]], check=True)
            ko[0] = ko[0][:-3]
        shutil.copy(ko[0], module)
    return sorted(glob.glob(os.path.join(LINUX_DIR, "boot", "vmlinuz-*")))[-1], module


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


def make_initramfs(bench_bin, ports, path, module):
    """The one initramfs both kernels boot: /bench and its data file, the
    ports' busybox (with a symbolic link per applet, as the run image has
    them) and speedtest1, the shell workload, and the run image's /etc
    (user/rootfs: inittab, rcS, profile...) for the boot-to-shell boot, and
    Linux's e1000 module for the guest-host TCP benchmarks."""
    def read(p):
        with open(p, "rb") as f:
            return f.read()

    files = {   # path in the image: (mode, data)
        "bench": (0o100755, read(bench_bin)),
        "bench-data": (0o100644, bytes(range(256)) * 16),
        "e1000.ko": (0o100644, read(module)),   # Linux's NIC driver; goos has its own
        "bin/busybox": (0o100755, read(os.path.join(ports, "bin", "busybox"))),
        "bin/speedtest1": (0o100755, read(os.path.join(ports, "bin", "speedtest1"))),
        "usr/share/bench/shloop.sh": (0o100644, read(os.path.join(ROOT, "tests/bench/shloop.sh"))),
    }
    with open(os.path.join(ports, "busybox.links")) as f:
        for applet in f.read().split():
            applet = applet.strip("/")
            if applet and applet not in files:
                up = "../" * applet.count("/")
                files[applet] = (0o120777, f"{up}bin/busybox".encode())
    etc = os.path.join(ROOT, "user", "rootfs")
    for dirpath, _, names in os.walk(etc):
        for n in names:
            full = os.path.join(dirpath, n)
            files[os.path.relpath(full, etc)] = (os.stat(full).st_mode & 0o777 | 0o100000, read(full))
    dirs = {"tmp": 0o041777, "dev": 0o040755, "proc": 0o040755, "sys": 0o040755,
            "root": 0o040700}
    for name in files:
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.setdefault("/".join(parts[:i]), 0o040755)
    entries = [(d, mode, b"") for d, mode in sorted(dirs.items())]
    entries += [(n, mode, data) for n, (mode, data) in sorted(files.items())]
    with open(path, "wb") as f:
        f.write(cpio_newc(entries))


# ---- the host end of the guest-host TCP benchmarks ----------------------
class HostPeer(socketserver.BaseRequestHandler):
    """The first byte says what to do: S sink (read to the end, answer the
    count), R source (send the 8-byte count asked for), E echo."""

    def handle(self):
        c = self.request
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        mode = c.recv(1)
        if mode == b"S":
            n = 0
            while True:
                d = c.recv(1 << 16)
                if not d:
                    break
                n += len(d)
            c.sendall(n.to_bytes(8, "little"))
        elif mode == b"R":
            want = b""
            while len(want) < 8:
                d = c.recv(8 - len(want))
                if not d:
                    return
                want += d
            left, block = int.from_bytes(want, "little"), b"h" * (1 << 16)
            while left > 0:
                c.sendall(block[:min(left, len(block))])
                left -= min(left, len(block))
            c.shutdown(socket.SHUT_WR)
            while c.recv(1 << 16):      # until the guest closes
                pass
        elif mode == b"E":
            while True:
                d = c.recv(1 << 16)
                if not d:
                    break
                c.sendall(d)


class HostServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def start_host_peer():
    """Serve on the host's loopback (the guest's 10.0.2.2); the port."""
    srv = HostServer(("127.0.0.1", 0), HostPeer)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv.server_address[1]


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
            "-serial", "stdio", "-monitor", "none",
            # An e1000 on QEMU's user network, the same for both kernels.
            "-netdev", "user,id=n0", "-device", "e1000,netdev=n0"] + \
        (["-icount", "shift=0"] if icount else [])


class Serial:
    """A QEMU run with the guest's serial port on stdio: complete lines with
    host timestamps (seconds from starting QEMU), the unfinished last line
    (a shell prompt has no newline), and a way to type."""

    def __init__(self, cmd, logpath):
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  stdin=subprocess.PIPE)
        os.set_blocking(self.p.stdout.fileno(), False)
        self.logf = open(logpath, "w")
        self.lines, self.partial = [], b""
        self.panic, self.panic_at = None, None

    def stopped(self, timeout):
        """The status if the run should end now: "timeout", or "panic" a
        moment after a kernel panic (either kernel's message), which would
        otherwise hold QEMU until the timeout; else None."""
        if self.panic_at is not None and self.now() > self.panic_at + PANIC_GRACE:
            return "panic"
        return "timeout" if self.now() > timeout else None

    def now(self):
        return time.monotonic() - self.t0

    def read(self, wait):
        """Wait up to `wait` seconds for output; return the new complete
        lines as (time, text), or None once QEMU has exited and all its
        output is read."""
        ready, _, _ = select.select([self.p.stdout], [], [], wait)
        if not ready:
            return []
        chunk = self.p.stdout.read()
        if chunk is None:       # woken, but nothing to read after all
            return []
        if chunk == b"":        # end of file: QEMU has exited
            self.p.wait()
            return None
        now = self.now()
        self.partial += chunk
        *complete, self.partial = self.partial.split(b"\n")
        new = []
        for raw in complete:
            line = raw.decode("utf-8", "replace").rstrip("\r")
            new.append((now, line))
            self.lines.append(line)
            if self.panic is None and "Kernel panic - not syncing" in line:
                self.panic, self.panic_at = line.strip(), now
            self.logf.write(f"[{now:9.3f}] {line}\n")
        return new

    def type(self, text):
        self.logf.write(f"[{self.now():9.3f}] <typed> {text!r}\n")
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
        except OSError:
            pass

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        if self.partial:
            self.lines.append(self.partial.decode("utf-8", "replace"))
            self.logf.write(f"[{self.now():9.3f}] {self.lines[-1]}\n")
        self.logf.close()


def first_console_line(line):
    """Is this the guest's first real console line? (Skip the firmware's and
    GRUB's screen control noise.)"""
    return re.search(r"\w{4}", line) and "\x1b" not in line


def boot(name, cmd, timeout, logpath):
    """Run QEMU; return (lines, host seconds from start to BENCH_INIT or None,
    host seconds to the first console line, status)."""
    q = Serial(cmd, logpath)
    t_init, t_first, status = None, None, "exit"
    while True:
        status = q.stopped(timeout) or "exit"
        if status != "exit":
            break
        new = q.read(0.5)
        if new is None:
            break
        for now, line in new:
            if t_first is None and first_console_line(line):
                t_first = now
            if t_init is None and "BENCH_INIT" in line:
                t_init = now
    q.close()
    return q.lines, t_init, t_first, status


# busybox sh's prompt from user/rootfs/etc/profile (PS1='\u@\h:\w\$ '):
# "root@goos:/# ". Searched for, not anchored: line editing may follow it with
# terminal queries.
PROMPT = re.compile(rb"\w+@[\w.-]+:[^\s]*[#$] ")
SHELL_CHECK = ("echo SHELL_OK $((6*7))\n", "SHELL_OK 42")
POWEROFF_WAIT = 30     # s; busybox init's shutdown sleeps ~2 s
PANIC_GRACE = 2        # s of the panic's trace to log before stopping QEMU


def shell_boot(name, cmd, timeout, logpath):
    """The boot-to-shell boot: /bench shell execs busybox init, which runs rcS
    and a login shell on the console. Times the prompt's first bytes on the
    serial port (host clock from starting QEMU), then types a command whose
    answer shows the shell works, then `poweroff`. Returns a dict."""
    q = Serial(cmd, logpath)
    r = dict(t_init=None, t_first=None, t_prompt=None, typed=False, answered=False,
             status="exit")
    while True:
        r["status"] = q.stopped(timeout) or "exit"
        if r["answered"] and q.now() > r["answered"] + POWEROFF_WAIT:
            r["status"] = "timeout"
        if r["status"] != "exit":
            break
        new = q.read(0.5)
        if new is None:
            break
        for now, line in new:
            if r["t_first"] is None and first_console_line(line):
                r["t_first"] = now
            if r["t_init"] is None and "BENCH_INIT" in line:
                r["t_init"] = now
            elif r["t_init"] is not None and r["t_prompt"] is None and PROMPT.search(line.encode()):
                r["t_prompt"] = now     # something followed the prompt with a newline
            if r["t_prompt"] is not None and not r["answered"] and line.rstrip().endswith(SHELL_CHECK[1]):
                r["answered"] = now
                q.type("poweroff\n")
        if r["t_init"] is not None and r["t_prompt"] is None and PROMPT.search(q.partial):
            r["t_prompt"] = q.now()
        if r["t_prompt"] is not None and not r["typed"]:
            r["typed"] = True
            q.type(SHELL_CHECK[0])
    q.close()
    r["lines"] = q.lines
    return r


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
        # the boot-to-shell boots
        self.shell_boots, self.shell_ok = 0, 0
        self.shell_init, self.shell_prompt, self.shell_errors = [], [], []
        self.tsc_hz = []    # from the benchmark boots; converts the shell boots' TSC

    def add_boot(self, lines, t_init, t_first, status):
        self.boots += 1
        samples, units, na, info, errors, done = parse(lines)
        self.booted += t_init is not None
        self.finished += done and status == "exit"
        if status == "timeout":
            self.errors.append("timeout")
        if status == "panic":
            self.errors.append("kernel panic: " + next(l for l in lines if "Kernel panic" in l).strip())
        for k, v in samples.items():
            self.samples.setdefault(k, []).extend(v)
        self.units.update(units)
        self.na.update(na)
        self.info.update(info)
        if "tsc_hz" in info:
            self.tsc_hz.append(float(info["tsc_hz"]))
        self.errors += errors
        if t_init is not None:
            self.host_init.append(t_init * 1e3)
            if t_first is not None:
                self.host_first.append(t_first * 1e3)

    def add_shell_boot(self, r):
        """boot_to_shell = reset to /init on the guest TSC (as boot_to_init),
        plus /init to the prompt on the host clock (both marks read from the
        same serial stream, so QEMU's start-up and the serial path cancel)."""
        self.shell_boots += 1
        _, _, _, info, errors, _ = parse(r["lines"])
        tsc = info.get("tsc_at_init")
        why = ("; ".join(errors) if errors else
               "kernel panic" if r["status"] == "panic" else
               "no BENCH_INIT" if r["t_init"] is None else
               "no shell prompt" if r["t_prompt"] is None else
               "the shell did not answer a command" if not r["answered"] else
               "did not power off" if r["status"] != "exit" else
               "no tsc_at_init" if tsc is None else
               "no tsc_hz from a benchmark boot" if not self.tsc_hz else "")
        if r["t_init"] is not None and r["t_prompt"] is not None:
            self.shell_init.append(r["t_init"] * 1e3)
            self.shell_prompt.append(r["t_prompt"] * 1e3)
            if tsc is not None and self.tsc_hz:
                ms = float(tsc) / statistics.median(self.tsc_hz) * 1e3 \
                    + (r["t_prompt"] - r["t_init"]) * 1e3
                self.samples.setdefault("boot_to_shell", []).append(ms)
                self.units["boot_to_shell"] = HOST_METRICS["boot_to_shell"]
        if why:
            self.shell_errors.append(f"shell boot #{self.shell_boots}: {why}")
        else:
            self.shell_ok += 1

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
            return "n/a (goos only)"
        if side.na[name] == "needs 2 CPUs":
            return "n/a (needs 2 CPUs)"     # make bench ICOUNT=1 boots one
        return "n/a (not supported yet)" if side.key == "goos" else "n/a"
    return "no figure"      # a failed boot or benchmark: --check fails on it


def ratio(goos, other, name):
    a, b = goos.median(name), other.median(name)
    return a / b if a is not None and b else None


def target_text(target, r):
    if target is None:
        return ""
    if r is None:
        return f"<= {target}x: not measured"
    return f"<= {target}x: {'met' if r <= target else 'missed'}"


def build_report(sides, meta, metrics=METRICS):
    goos, linux, ltsc = sides["goos"], sides["linux"], sides.get("linux-tsc")
    rows = []
    for name, what, target in metrics:
        unit = goos.units.get(name) or linux.units.get(name) or ""
        r = ratio(goos, linux, name)
        row = dict(metric=name, unit=unit, what=what,
                   goos=goos.median(name), linux=linux.median(name), ratio=r,
                   goos_na=goos.na.get(name), linux_na=linux.na.get(name), target=target,
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
          + f". Linux's default mitigations on this CPU model: meltdown: "
          f"{meta.get('linux_mitigations', {}).get('meltdown', '?')}; spectre_v2: "
          f"{meta.get('linux_mitigations', {}).get('spectre_v2', '?')}"
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
    for s in sides.values():
        if s.shell_init and s.shell_prompt:
            i, p = statistics.median(s.shell_init), statistics.median(s.shell_prompt)
            md.append(f"{s.title}, boot-to-shell boots on the host clock: QEMU start to /init "
                      f"{i:.0f} ms, to the prompt {p:.0f} ms; /init to the prompt "
                      f"{statistics.median(b - a for a, b in zip(s.shell_init, s.shell_prompt)):.0f} ms "
                      f"(busybox init, rcS, login sh).")
    md.append("")
    if LATER:
        md.append("Not measured yet (no numbers are given for these): " + "; ".join(LATER) + ".")
    return rows, "\n".join(md) + "\n"


# ---- main -----------------------------------------------------------------
def selected(args):
    """The metrics of this run: all, or --only's (boot_to_init always comes)."""
    if not args.only:
        return METRICS
    want = set(args.only.split(","))
    unknown = want - {m[0] for m in METRICS}
    if unknown:
        raise RuntimeError(f"--only: no metric {', '.join(sorted(unknown))}")
    return [m for m in METRICS if m[0] in want or m[0] == "boot_to_init"]


def run(args):
    os.makedirs(OUT, exist_ok=True)
    metrics = selected(args)
    shell = any(m[0] == "boot_to_shell" for m in metrics)
    acc, cpu = accel()
    if args.icount and acc != "tcg":
        raise RuntimeError("--icount needs TCG (QEMU cannot count instructions under KVM)")
    sfx = "-icount" if args.icount else ""
    vmlinuz, module = fetch_linux()
    initramfs = os.path.join(OUT, "initramfs.cpio")
    make_initramfs(args.bench, args.ports, initramfs, module)
    port = start_host_peer()
    # Each kernel boots twice per round: the benchmarks, and boot to a shell.
    runs = {"bench": " ".join((["quick"] if args.quick else []) +
                              ([f"only={args.only}"] if args.only else []) +
                              [f"host=10.0.2.2:{port}"]),
            "shell": "shell"}
    isos = {}
    for run_name, gargs in runs.items():
        isos[run_name] = os.path.join(OUT, f"goos-{run_name}.iso")
        make_goos_iso(args.kernel, initramfs, gargs, isos[run_name])
    timeout = args.timeout or (150 if args.quick else 900)
    shell_timeout = args.timeout or 120

    linux_append = f"console=ttyS0 quiet panic=-1 rdinit=/bench"

    def linux(extra):
        return lambda run_name: qemu_base(acc, cpu, args.icount) + [
            "-kernel", vmlinuz, "-initrd", initramfs,
            "-append", f"{linux_append}{extra} -- {runs[run_name]}"]
    configs = [     # key, title, the QEMU command for a run
        ("goos", "goos", lambda run_name: qemu_base(acc, cpu, args.icount) + [
            "-boot", "d", "-cdrom", isos[run_name]]),
        ("linux", "Linux", linux("")),
        ("linux-tsc", "Linux (clocksource=tsc tsc=reliable)", linux(" clocksource=tsc tsc=reliable")),
    ]
    if args.quick:
        configs = configs[:2]   # the test only needs both kernels to work
    sides = {key: Side(key, title) for key, title, _ in configs}
    load_before = os.getloadavg()[0]
    for i in range(args.boots):
        for key, title, cmd in configs:
            t = time.monotonic()
            res = boot(key, cmd("bench"), timeout, os.path.join(OUT, f"{key}{sfx}-{i}.log"))
            sides[key].add_boot(*res)
            log(f"boot {key} #{i + 1}: {res[3]}, {time.monotonic() - t:.1f}s")
            if not shell:
                continue
            t = time.monotonic()
            r = shell_boot(key, cmd("shell"), shell_timeout,
                           os.path.join(OUT, f"{key}{sfx}-shell-{i}.log"))
            sides[key].add_shell_boot(r)
            log(f"shell boot {key} #{i + 1}: {r['status']}, prompt "
                + (f"at {r['t_prompt'] * 1e3:.0f} ms" if r["t_prompt"] else "not seen")
                + f", {time.monotonic() - t:.1f}s")

    meta_cs = {k: s.info.get("clocksource", "?") for k, s in sides.items()}
    lver = sides["linux"].info.get("uname", "").split(" ")[-1] or os.path.basename(vmlinuz)[8:]
    meta = dict(accel=acc, cpu=cpu, machine=MACHINE, smp=1 if args.icount else SMP, mem=MEM,
                quick=args.quick, icount=args.icount,
                boots=args.boots, linux_version=lver,
                linux_package=os.path.basename(vmlinuz).replace("vmlinuz-", "linux-image-"),
                goos_version=sides["goos"].info.get("uname", "? ?").split(" ")[-1],
                clocksource=meta_cs, host_cpus=os.cpu_count(),
                linux_mitigations={k: v for k, v in sides["linux"].info.items()
                                   if k in ("meltdown", "spectre_v2")},
                host_load=[round(load_before, 2), round(os.getloadavg()[0], 2)], date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))
    rows, md = build_report(sides, meta, metrics)
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
                       errors={k: s.errors + s.shell_errors for k, s in sides.items()},
                       shell_boots={k: dict(boots=s.shell_boots, ok=s.shell_ok,
                                            init_ms=s.shell_init, prompt_ms=s.shell_prompt)
                                    for k, s in sides.items()}), f, indent=1)
    print(md, end="")
    return sides, md_path, json_path, metrics


def check(sides, md_path, json_path, metrics=METRICS):
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
        if any(m[0] == "boot_to_shell" for m in metrics):
            add(f"{key}/shell", s.shell_boots == s.boots and s.shell_ok == s.shell_boots,
                "; ".join(s.shell_errors) or f"{s.shell_ok} of {s.shell_boots} shell boots",
                note="prompt seen, a typed command answered, powered off")
        for name, _, _ in metrics:
            bad = [v for v in s.samples.get(name, []) if not (math.isfinite(v) and v > 0)]
            if bad:
                add(f"{key}/{name}", False, f"samples not positive numbers: {bad}")
            elif name in s.samples:
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
        add("json-parses", n == len(metrics), f"{n} metrics")
    except (OSError, ValueError, KeyError) as e:
        add("json-parses", False, str(e))
    bad = table_gaps(md_path, list(sides), metrics)
    add("table-complete", not bad, "; ".join(bad))
    return all(results)


def table_gaps(md_path, keys, metrics=METRICS):
    """The written table's cells that are neither a number nor an explicit
    n/a, in the metric rows' kernel columns (goos, Linux[, Linux tsc])."""
    try:
        with open(md_path) as f:
            rows = [l.strip().strip("|").split("|") for l in f if l.startswith("| ")]
    except OSError as e:
        return [str(e)]
    head = [c.strip() for c in rows[0]] if rows else []
    cols = [head.index(t) for t in ("goos", "Linux", "Linux tsc") if t in head]
    gaps, seen = [], set()
    for row in rows[1:]:
        cells = [c.strip() for c in row]
        seen.add(cells[0])
        for c in cols:
            v = cells[c] if c < len(cells) else ""
            if not (re.fullmatch(r"[0-9]+(\.[0-9]+)?", v) or v.startswith("n/a")):
                gaps.append(f"{cells[0]}/{head[c]}: {v!r}")
    gaps += [f"{name}: no row" for name, _, _ in metrics if name not in seen]
    if len(cols) != len(keys):
        gaps.append(f"columns {head}")
    return gaps


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--boots", type=int)
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--icount", action="store_true",
                    help="count guest instructions (QEMU -icount shift=0) instead of timing")
    ap.add_argument("--timeout", type=int, help="seconds per boot")
    ap.add_argument("--only", help="comma-separated metrics to run (boot_to_init always; "
                    "boot_to_shell only if named); for exploring, not for the record")
    ap.add_argument("--bench", default=os.path.join(OUT, "bench"))
    ap.add_argument("--kernel", default=os.path.join(ROOT, "build", "kernel.elf"))
    ap.add_argument("--ports", default=os.path.join(ROOT, "build", "ports"),
                    help="the ports' build directory (bin/busybox, bin/speedtest1, busybox.links)")
    args = ap.parse_args()
    if args.boots is None:
        # Instruction counts repeat exactly: one boot of each says it all.
        args.boots = 1 if args.quick or args.icount else 3
    try:
        sides, md_path, json_path, metrics = run(args)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        print(f"not ok - bench/run: {e}" if args.check else f"bench: {e}", flush=True)
        return 1
    if args.check:
        return 0 if check(sides, md_path, json_path, metrics) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
