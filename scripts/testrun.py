#!/usr/bin/env python3
"""The test harness behind `make test`.

Runs, and counts as tests:
  * host unit tests (cmocka binaries under build/unit/), one test per case;
  * in-kernel KTAP suites, booted under QEMU across the boot matrix
    (BIOS/UEFI, q35/pc, -smp 1/4, 128 MiB/8 GiB), one test per case per boot;
  * boot checks per boot (memory total within 1% of what QEMU was given, the
    CPU count from the MADT, a calibrated TSC) and an expected-panic boot whose
    report must show a symbolized backtrace;
  * disk boots: in-kernel block suite with host-made images attached
    (virtio-blk, NVMe); after power-off the host checks the image bytes;
  * the lock checker's boots (a DEBUG_LOCKS=1 kernel, 4 CPUs): once with the
    in-kernel suites, where only the reports the lockdep suite provokes (on
    locks named ktest_lockdep_*) may appear, once with the user tests, where
    none may;
  * the PS/2 keyboard boots: QEMU types keys through its QMP socket
    (send-key) into a program subscribed to the keyboard channel, which
    checks the events and the bytes the console received;
  * network boots: the ktest net suite on each NIC model, and busybox's
    network applets on the run image (net-busybox-*) against servers the
    harness runs on the host's loopback, through QEMU's user network;
  * busybox's own testsuite on the busybox image (boot busybox-testsuite):
    the PASS count must reach tests/busybox-baseline.txt's and every FAIL
    must be a known failure listed there (docs/compat.md);
  * the benchmark tool in quick mode (`make bench QUICK=1`, boot name
    bench-quick): goos and Linux both run every micro-benchmark and the
    application benchmarks, and boot to a busybox shell; its own ok/not ok
    lines are counted (figures are not judged).

A boot fails on any `not ok`, a panic, a triple fault (QEMU exits without the
kernel powering off), a timeout, or a missing KTAP plan. The last line is
`N passed, M failed`; the exit status is non-zero if anything failed.
"""
import argparse
import concurrent.futures as cf
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
LOGS = os.path.join(BUILD, "test-logs")
TS = re.compile(r"^\[\s*\d+\.\d+\] ?")


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def add(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok - {name}", flush=True)
        else:
            self.failed += 1
            self.failures.append(name)
            print(f"not ok - {name}{': ' + detail if detail else ''}", flush=True)


# ---- host unit tests ------------------------------------------------------
def run_unit(binary, res):
    name = os.path.basename(binary)
    try:
        p = subprocess.run([binary], capture_output=True, text=True, timeout=300)
        out = p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        res.add(f"unit/{name}", False, "timeout")
        return
    seen = failed = 0
    for line in out.splitlines():
        m = re.match(r"^\[\s+(OK|FAILED)\s+\] (\w+)$", line)
        if m and not m.group(2).isdigit():
            seen += 1
            failed += m.group(1) != "OK"
            res.add(f"unit/{name}/{m.group(2)}", m.group(1) == "OK")
    if failed:
        sys.stdout.write(out[-3000:])
    elif p.returncode != 0:        # crashed (sanitizer, signal) outside a case
        sys.stdout.write(out[-3000:])
        res.add(f"unit/{name}", False, f"exit status {p.returncode}")
    elif seen == 0:
        res.add(f"unit/{name}", False, "no test cases ran")


# ---- QEMU boots -----------------------------------------------------------
def qemu_boot(name, iso, fw, machine, smp, mem, timeout, stop_on=None, extra=()):
    """Boot and collect serial output until QEMU exits, stop_on matches, or timeout."""
    os.makedirs(LOGS, exist_ok=True)
    log_path = os.path.join(LOGS, f"{name}.log")
    cmd = [os.path.join(ROOT, "scripts/qemu.sh"), "--headless", "--iso", iso,
           "--machine", machine, "--smp", str(smp), "--mem", mem]
    if fw == "uefi":
        cmd.append("--uefi")
    cmd += list(extra)
    start = time.time()
    lines, status = [], "exit"
    with open(log_path, "w") as log:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
        os.set_blocking(p.stdout.fileno(), False)
        buf = b""
        while True:
            if time.time() - start > timeout:
                status = "timeout"
                break
            chunk = p.stdout.read()
            if chunk:
                buf += chunk
                *complete, buf = buf.split(b"\n")
                for raw in complete:
                    line = raw.decode("utf-8", "replace").rstrip("\r")
                    lines.append(line)
                    log.write(line + "\n")
                    if stop_on and stop_on(line):
                        status = "stopped"
                        break
                if status == "stopped":
                    break
            elif p.poll() is not None:
                break
            else:
                time.sleep(0.05)
        if p.poll() is None:
            p.kill()
        p.wait()
        if buf:
            lines.append(buf.decode("utf-8", "replace"))
            log.write(lines[-1] + "\n")
    return lines, status, time.time() - start, log_path


def parse_ktap(lines):
    """Return (cases [(suite, case, ok, skip)], errors [str])."""
    body = [TS.sub("", l) for l in lines]
    cases, errors = [], []
    try:
        top = body.index("KTAP version 1")
    except ValueError:
        return cases, ["no KTAP output"]
    plan = None
    suite, suite_plan, suite_cases = None, None, 0
    suites_done = 0
    for l in body[top + 1:]:
        m = re.match(r"^1\.\.(\d+)$", l)
        if m and plan is None:
            plan = int(m.group(1))
            continue
        m = re.match(r"^    # Subtest: (\S+)", l)
        if m:
            suite, suite_plan, suite_cases = m.group(1), None, 0
            continue
        m = re.match(r"^    1\.\.(\d+)$", l)
        if m:
            suite_plan = int(m.group(1))
            continue
        m = re.match(r"^    (ok|not ok) (\d+) (\S+)(.*)$", l)
        if m and suite:
            suite_cases += 1
            cases.append((suite, m.group(3), m.group(1) == "ok", "# SKIP" in m.group(4)))
            continue
        m = re.match(r"^(ok|not ok) (\d+) (\S+)", l)
        if m:
            suites_done += 1
            if suite_plan is None:
                errors.append(f"suite {m.group(3)}: no plan line")
            elif suite_plan != suite_cases:
                errors.append(f"suite {m.group(3)}: planned {suite_plan}, ran {suite_cases}")
            suite = None
    if plan is None:
        errors.append("missing top-level plan line")
    elif plan != suites_done:
        errors.append(f"planned {plan} suites, {suites_done} finished")
    return cases, errors


def size_kib(mem):
    n = int(mem[:-1])
    return n * (1024 * 1024 if mem.endswith("G") else 1024)


def boot_checks(name, lines, cfg, res):
    text = "\n".join(TS.sub("", l) for l in lines)
    m = re.search(r"^platform: cpus=(\d+) ram_kib=(\d+) tsc_khz=(\d+)", text, re.M)
    if not m:
        res.add(f"{name}/platform-summary", False, "no 'platform:' line")
        return
    cpus, ram, tsc = (int(x) for x in m.groups())
    res.add(f"{name}/cpus-from-madt", cpus == cfg["smp"], f"{cpus} != {cfg['smp']}")
    want = size_kib(cfg["mem"])
    res.add(f"{name}/memory-total", abs(ram - want) <= want / 100,
            f"{ram} KiB vs {want} KiB given")
    res.add(f"{name}/tsc-calibrated", tsc > 100000, f"tsc_khz={tsc}")
    res.add(f"{name}/memory-map-logged", "memblock:" in text or "mem:" in text)


def boot_and_parse(cfg, iso, timeout, r):
    """Boot cfg, count its KTAP cases and top-level failures into r; return
    (lines, text, status, secs, log). A panic halts the machine: stop there
    instead of waiting for the timeout."""
    name = cfg["name"]
    done = lambda l: "All CPUs halted" in l or "fault while reporting a fault" in l
    lines, status, secs, log = qemu_boot(name, iso, cfg["fw"], cfg["machine"],
                                         cfg["smp"], cfg["mem"], timeout, stop_on=done,
                                         extra=cfg.get("extra", ()))
    cases, errors = parse_ktap(lines)
    for suite, case, ok, skip in cases:
        r.add(f"{name}/{suite}.{case}", ok)
    for e in errors:
        r.add(f"{name}/ktap", False, e)
    # Suite results with a reason (a crashed or leaking test program).
    for m in re.finditer(r"^not ok \d+ (\S+) # (.*)$", "\n".join(TS.sub("", l) for l in lines), re.M):
        r.add(f"{name}/{m.group(1)}", False, m.group(2))
    text = "\n".join(lines)
    if "Kernel panic - not syncing" in text:
        r.add(f"{name}/no-panic", False, f"kernel panicked, see {log}")
    elif status == "timeout":
        r.add(f"{name}/completes", False, f"timeout after {timeout}s, see {log}")
    return lines, text, status, secs, log


def run_matrix_boot(cfg, iso, timeout):
    r = Results()
    name = cfg["name"]
    lines, text, status, secs, log = boot_and_parse(cfg, iso, timeout, r)
    if status != "timeout" and "Kernel panic" not in text:
        r.add(f"{name}/completes", "reboot: Power down" in text,
              f"QEMU exited without power-off (triple fault?), see {log}")
    boot_checks(name, lines, cfg, r)
    return name, r, secs


USER_BOOTS = [
    dict(name="user-bios-q35-smp1", fw="bios", machine="q35", smp=1, mem="512M"),
    dict(name="user-uefi-pc-smp2", fw="uefi", machine="pc", smp=2, mem="1G"),
    dict(name="user-bios-q35-smp4", fw="bios", machine="q35", smp=4, mem="2G"),
    # Every program in one link mode: the 8-CPU boot tests SMP, not the loader.
    dict(name="user-uefi-q35-smp8", fw="uefi", machine="q35", smp=8, mem="2G", static_only=True),
]


def run_user_boot(cfg, iso, timeout):
    """The user-space test image: PID 1 runs every /tests program (KTAP)."""
    r = Results()
    name = cfg["name"]
    lines, text, status, secs, log = boot_and_parse(cfg, iso, timeout, r)
    if status != "timeout" and "Kernel panic" not in text:
        r.add(f"{name}/init-exit-0", "init: exited with status 0" in text, f"see {log}")
    return name, r, secs


# Each disk boot attaches test images (scripts/mkdisk.py) as (kind, bus,
# expected name[, block size[, "ro"]]):
# the in-kernel block suite checks and writes them, the host then checks
# that the flushed writes reached the image files.
DISK_BOOTS = [
    dict(name="disk-virtio-bios-q35-smp1", fw="bios", machine="q35", smp=1, mem="256M",
         disks=[("mbr", "virtio", "vda"), ("gpt", "virtio", "vdb")]),
    dict(name="disk-virtio-bios-pc-smp2", fw="bios", machine="pc", smp=2, mem="256M",
         disks=[("gpt", "virtio", "vda"), ("mbr", "virtio-legacy", "vdb")]),
    dict(name="disk-nvme-bios-q35-smp1", fw="bios", machine="q35", smp=1, mem="256M",
         disks=[("gpt", "nvme", "nvme0n1"), ("mbr", "nvme", "nvme1n1")]),
    dict(name="disk-4k-bios-q35-smp1", fw="bios", machine="q35", smp=1, mem="256M",
         disks=[("gpt", "virtio", "vda", 4096), ("mbr", "nvme", "nvme0n1", 4096)]),
    # QEMU's NVMe does not report a read-only drive (NSATTR), only
    # virtio-blk does (VIRTIO_BLK_F_RO).
    dict(name="disk-ro-bios-q35-smp1", fw="bios", machine="q35", smp=1, mem="256M",
         disks=[("mbr", "virtio", "vda", 512, "ro"), ("gpt", "virtio", "vdb")]),
    dict(name="disk-mixed-uefi-q35-smp2", fw="uefi", machine="q35", smp=2, mem="512M",
         disks=[("mbr", "virtio", "vda"), ("gpt", "nvme", "nvme0n1")]),
    # The lock checker's kernel (--locks-block-iso): no report may appear.
    dict(name="debug-locks-disk-bios-q35-smp4", fw="bios", machine="q35", smp=4, mem="512M",
         locks=True, disks=[("gpt", "virtio", "vda"), ("mbr", "nvme", "nvme0n1")]),
]


def disk_args(name, disks):
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import mkdisk
    os.makedirs(LOGS, exist_ok=True)
    args, paths = [], []
    for i, (kind, bus, _, *rest) in enumerate(disks):
        bs = rest[0] if rest else 512
        ro = rest[1:] == ["ro"]
        path = os.path.join(LOGS, f"{name}-{i}.img")
        mkdisk.make(kind, path, bs, ro)
        paths.append(path)
        args += ["-drive", f"file={path},if=none,id=disk{i},format=raw" +
                 (",readonly=on" if ro else "")]
        dev = {"virtio": f"virtio-blk-pci,drive=disk{i}",
               "virtio-legacy": f"virtio-blk-pci,disable-modern=on,drive=disk{i}",
               "nvme": f"nvme,serial=goos{i},drive=disk{i}"}[bus]
        if bs != 512:
            dev += f",logical_block_size={bs},physical_block_size={bs}"
        args += ["-device", dev]
    return args, paths, mkdisk


def run_disk_boot(cfg, iso, timeout):
    r = Results()
    name = cfg["name"]
    args, paths, mkdisk = disk_args(name, cfg["disks"])
    cfg = dict(cfg, extra=args)
    lines, text, status, secs, log = boot_and_parse(cfg, iso, timeout, r)
    cases, _ = parse_ktap(lines)
    block = [c for c in cases if c[0] == "block"]
    r.add(f"{name}/block-suite-ran", len(block) > 0, f"see {log}")
    r.add(f"{name}/block-not-skipped", block and not any(c[3] for c in block), f"see {log}")
    for (kind, bus, dev, *rest), path in zip(cfg["disks"], paths):
        bs = rest[0] if rest else 512
        rest = list(rest)
        seen = f"# block_test: {dev} ({kind.upper()}, {bs}-byte blocks)" in text
        r.add(f"{name}/{dev}-tested", seen, f"no '# block_test: {dev}' line, see {log}")
        if bus.startswith("virtio"):
            want = "legacy" if bus == "virtio-legacy" else "modern"
            r.add(f"{name}/{dev}-{want}-transport",
                  f"virtio-blk {dev}: {want} transport" in text, f"see {log}")
        problems = mkdisk.verify(path) if status != "timeout" else ["timeout"]
        r.add(f"{name}/{dev}-on-disk", not problems, "; ".join(problems[:5]))
    if cfg.get("locks"):
        lockdep_checks(name, lines, r, None)
    return name, r, secs


# Network boots (ktest suite "net"): the NIC gets DHCP from QEMU's user
# network, pings the gateway, and sends 1 MiB through a TCP echo server
# on the host's loopback, reached as 10.0.2.2:PORT.
NET_BOOTS = [
    dict(name="net-virtio-bios-q35-smp2", fw="bios", machine="q35", smp=2, mem="256M",
         nic="virtio-net-pci", driver="virtio-net"),
    dict(name="net-e1000-bios-pc-smp1", fw="bios", machine="pc", smp=1, mem="256M",
         nic="e1000", driver="e1000"),
    dict(name="net-e1000e-bios-q35-smp1", fw="bios", machine="q35", smp=1, mem="256M",
         nic="e1000e", driver="e1000e"),
    # The legacy transport interrupting by INTx (no MSI-X vectors).
    dict(name="net-virtio-legacy-intx-uefi-pc-smp2", fw="uefi", machine="pc", smp=2, mem="256M",
         nic="virtio-net-pci,disable-modern=on,vectors=0", driver="virtio-net (legacy transport)"),
]


def echo_server():
    """A TCP echo server on 127.0.0.1 (a thread per connection); its port."""
    import socket
    import threading
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)

    def serve(c):
        with c:
            while data := c.recv(65536):
                c.sendall(data)

    def loop():
        while True:
            c, _ = srv.accept()
            threading.Thread(target=serve, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1]


def run_net_boot(cfg, kernel, timeout):
    r = Results()
    name = cfg["name"]
    port = echo_server()
    os.makedirs(LOGS, exist_ok=True)
    iso = os.path.join(LOGS, f"{name}.iso")
    subprocess.run([os.path.join(ROOT, "scripts/mkiso.sh"), kernel, iso, "--cmdline",
                    f"ktest=net net_test_echo=10.0.2.2:{port}"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cfg = dict(cfg, extra=["-netdev", "user,id=n0", "-device", f"{cfg['nic']},netdev=n0"])
    lines, text, status, secs, log = boot_and_parse(cfg, iso, timeout, r)
    cases, _ = parse_ktap(lines)
    net = [c for c in cases if c[0] == "net"]
    r.add(f"{name}/net-suite-ran", len(net) == 6, f"see {log}")
    r.add(f"{name}/net-not-skipped", net and not any(c[3] for c in net), f"see {log}")
    r.add(f"{name}/{cfg['driver']}-bound", f"net: eth0: {cfg['driver']}" in text, f"see {log}")
    return name, r, secs
# The busybox network boot: the run image with user/ports/nettest/ on top
# (its script, user/ports/nettest/usr/share/net-test/run-all, says what the
# guest checks) on a virtio-net NIC, QEMU's user network forwarding host
# ports to the guest's httpd (tcp 80) and UDP echo (7777). The harness
# serves on the host's loopback, which the guest reaches as 10.0.2.2: HTTP
# (100 MiB of data whose sha256 the guest compares, a small file, the
# verdict that ends the guest's wait), a UDP echo, a TCP echo and a DNS
# server. When the guest prints `net: ready` the host fetches the guest's
# index.html through the forwarded port (curl, or urllib without curl) and
# exchanges a datagram with its UDP echo.
NET_BUSYBOX_CFG = dict(name="net-busybox-virtio-bios-q35-smp2", fw="bios", machine="q35", smp=2,
                       mem="512M")
BIG_MIB = 100
DNS_NAME, DNS_ADDR = "web.goos.test", "192.0.2.123"


def free_port(kind):
    import socket
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def big_blocks(seed):
    """The 100 MiB body: 1 MiB of seeded random bytes, each copy stamped
    with its index (so a repeated or dropped block changes the hash)."""
    import random
    base = bytearray(random.Random(seed).randbytes(1 << 20))
    for i in range(BIG_MIB):
        base[0:8] = i.to_bytes(8, "little")
        yield bytes(base)


def http_server(token, seed, verdict):
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send_body(self, body):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/big":
                self.send_response(200)
                self.send_header("Content-Length", str(BIG_MIB << 20))
                self.end_headers()
                for b in big_blocks(seed):
                    self.wfile.write(b)
            elif self.path == "/small":
                self.send_body(f"small-{token}\n".encode())
            elif self.path == "/verdict" and verdict.is_set():
                self.send_body(b"done\n")
            else:
                self.send_error(404)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def udp_echo_server():
    import socket
    import threading
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))

    def loop():
        while True:
            data, peer = s.recvfrom(65536)
            s.sendto(data, peer)
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def dns_answer(query):
    """A DNS reply (RFC 1035) to query: DNS_NAME's A record is DNS_ADDR,
    its other types have no records, every other name is NXDOMAIN."""
    import struct
    if len(query) < 12:
        return None
    qid, _, qd = struct.unpack(">HHH", query[:6])
    pos, labels = 12, []
    while pos < len(query) and query[pos]:
        n = query[pos]
        labels.append(query[pos + 1:pos + 1 + n].decode("ascii", "replace").lower())
        pos += 1 + n
    if qd != 1 or pos + 5 > len(query):
        return None
    qtype = struct.unpack(">H", query[pos + 1:pos + 3])[0]
    question = query[12:pos + 5]
    name = ".".join(labels)
    if name != DNS_NAME:
        return struct.pack(">HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question
    if qtype != 1:
        return struct.pack(">HHHHHH", qid, 0x8180, 1, 0, 0, 0) + question
    rr = struct.pack(">HHHIH", 0xC00C, 1, 1, 60, 4) + bytes(int(x) for x in DNS_ADDR.split("."))
    return struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + rr


def dns_server():
    import socket
    import threading
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))

    def loop():
        while True:
            q, peer = s.recvfrom(4096)
            a = dns_answer(q)
            if a:
                s.sendto(a, peer)
    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def host_checks(r, name, token, http_fwd, udp_fwd):
    """What the host checks while the guest serves; results into r."""
    import shutil
    import socket
    url = f"http://127.0.0.1:{http_fwd}/index.html"
    want = f"httpd-{token}\n"
    try:
        if shutil.which("curl"):
            p = subprocess.run(["curl", "-sS", "--max-time", "60", url], capture_output=True,
                               text=True)
            got, how = p.stdout, f"curl exit {p.returncode} {p.stderr.strip()}"
        else:
            import urllib.request
            got, how = urllib.request.urlopen(url, timeout=60).read().decode(), "urllib"
    except Exception as e:      # noqa: BLE001 - any failure is the result
        got, how = "", repr(e)
    r.add(f"{name}/host-fetches-guest-httpd", got == want, f"got {got[:80]!r} ({how})")

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)            # per try: a hang bound; lost datagrams are retried
    msg, got = f"host-{token}".encode(), b""
    for _ in range(6):
        try:
            s.sendto(msg, ("127.0.0.1", udp_fwd))
            got, _ = s.recvfrom(4096)
            break
        except OSError:
            continue
    s.close()
    r.add(f"{name}/udp-echo-host-to-guest", got == msg, f"got {got[:80]!r}")


def script_results(r, name, body, prefix):
    """Count a guest script's `PREFIX: ok NAME` / `PREFIX: not ok NAME: why`
    lines as results and read its closing `PREFIX: done N`: (ran, N or None)."""
    ran, total = 0, None
    for l in body:
        m = re.match(rf"^{prefix}: (ok|not ok) (\S+)(?:: (.*))?$", l)
        if m:
            ran += 1
            r.add(f"{name}/{m.group(2)}", m.group(1) == "ok", m.group(3) or "")
        m = re.match(rf"^{prefix}: done (\d+)$", l)
        if m:
            total = int(m.group(1))
    return ran, total


def run_net_busybox_boot(kernel, cpio, timeout):
    import hashlib
    import secrets
    import threading
    cfg, r = NET_BUSYBOX_CFG, Results()
    name = cfg["name"]
    token, seed = secrets.token_hex(6), secrets.randbits(32)
    sha = hashlib.sha256()
    for b in big_blocks(seed):
        sha.update(b)
    verdict = threading.Event()
    http = http_server(token, seed, verdict)
    udp, echo, dns = udp_echo_server(), echo_server(), dns_server()
    http_fwd, udp_fwd = free_port(1), free_port(2)
    os.makedirs(LOGS, exist_ok=True)
    iso = os.path.join(LOGS, f"{name}.iso")
    subprocess.run([os.path.join(ROOT, "scripts/mkiso.sh"), kernel, iso, "--cmdline",
                    f"init=/sbin/init nt.http={http.server_address[1]} nt.udp={udp} "
                    f"nt.echo={echo} nt.dns={dns} nt.token={token} nt.sha={sha.hexdigest()}",
                    "--module", cpio, "initramfs"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    netdev = (f"user,id=n0,hostfwd=tcp:127.0.0.1:{http_fwd}-:80,"
              f"hostfwd=udp:127.0.0.1:{udp_fwd}-:7777")

    def serve_host_side():
        try:
            host_checks(r, name, token, http_fwd, udp_fwd)
        finally:
            verdict.set()

    def watch(line):
        if TS.sub("", line) == "net: ready" and not watch.started:
            watch.started = True
            threading.Thread(target=serve_host_side, daemon=True).start()
        return "Kernel panic" in line or "All CPUs halted" in line
    watch.started = False
    lines, status, secs, log = qemu_boot(name, iso, cfg["fw"], cfg["machine"], cfg["smp"],
                                         cfg["mem"], timeout, stop_on=watch,
                                         extra=["-netdev", netdev, "-device",
                                                "virtio-net-pci,netdev=n0"])
    http.shutdown()
    body = [TS.sub("", l) for l in lines]
    ran, total = script_results(r, name, body, "net")
    r.add(f"{name}/all-ran", total is not None and total == ran and ran > 0,
          f"{ran} results, done line says {total} (status {status}), see {log}")
    r.add(f"{name}/host-side-ran", watch.started, f"the guest never said it was ready, see {log}")
    r.add(f"{name}/poweroff", "reboot: Power down" in "\n".join(body),
          f"no power-off (status {status}), see {log}")
    return name, r, secs


# AF_INET through each NIC model from user space: tests/user/inet_echo.c
# connects (non-blocking) to echo_server() on the host through QEMU's user
# network and checks 2 MiB echoed back. (run-prog's --nic, CPUs.)
NET_PROG_BOOTS = {"net-inet-echo-virtio-smp2": ("virtio", 2), "net-inet-echo-e1000-smp1": ("e1000", 1)}


def run_net_prog_boot(name, prog, timeout):
    r = Results()
    nic, cpus = NET_PROG_BOOTS[name]
    port = echo_server()
    os.makedirs(LOGS, exist_ok=True)
    t = time.time()
    cmd = [os.path.join(ROOT, "scripts/run-prog"), "--smp", str(cpus), "--timeout", str(timeout),
           "--nic", nic, prog, "10.0.2.2", str(port)]
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    out = p.stdout + p.stderr
    log = os.path.join(LOGS, f"{name}.log")
    with open(log, "w") as f:
        f.write(out)
    r.add(f"{name}/tcp-echo-2mib", p.returncode == 0 and "inet_echo: ok" in out,
          "; ".join(l for l in out.splitlines() if "FAIL" in l)[:400] or f"exit {p.returncode}, see {log}")
    return name, r, time.time() - t


# The ext2 round trip (tests/user/disk_ext2.c) on each bus: the host
# formats an image, the guest's "write" boot fills it, the host checks it
# with e2fsck and debugfs (scripts/mkdisk.py check_ext2); then a boot that
# fsyncs and resets the machine, and one that finds the fsynced data.
# (run-prog's disk option, CPUs): one boot on 2 CPUs, one on 1.
EXT2_BUSES = {"ext2-virtio": ("--disk", 2), "ext2-nvme": ("--nvme", 1)}


def run_ext2_boot(name, prog, timeout):
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import mkdisk
    r = Results()
    t0 = time.time()
    os.makedirs(LOGS, exist_ok=True)
    img, gen = os.path.join(LOGS, f"{name}.img"), os.path.join(LOGS, f"{name}-gen")
    subprocess.run(["cc", "-O2", "-o", gen, os.path.join(ROOT, "tests/user/disk_ext2.c")],
                   check=True)
    mkdisk.make_ext2(img)

    def boot(phase):
        opt, cpus = EXT2_BUSES[name]
        cmd = [os.path.join(ROOT, "scripts/run-prog"), "--smp", str(cpus), "--timeout", str(timeout),
               opt, img, prog, phase]
        t = time.time()
        p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        out = p.stdout + p.stderr
        with open(os.path.join(LOGS, f"{name}-{phase}.log"), "w") as f:
            f.write(out)
        print(f"# {name} {phase}: {time.time() - t:.1f}s", flush=True)
        return p.returncode, out

    status, out = boot("write")
    r.add(f"{name}/write", status == 0 and "disk_ext2 write: ok" in out,
          "; ".join(l for l in out.splitlines() if "FAIL" in l)[:800] or f"exit {status}")
    problems = mkdisk.check_ext2(img, gen)
    r.add(f"{name}/host-e2fsck-debugfs", not problems, "; ".join(problems[:5]))
    status, out = boot("crash")
    r.add(f"{name}/fsync-then-reset", "fsynced, resetting (failures 0)" in out and
          not re.search(r"\] init: exited", out), f"exit {status}, see {LOGS}/{name}-crash.log")
    durable = mkdisk.debugfs(img, "cat /durable")
    r.add(f"{name}/fsynced-on-image", durable == "written and fsynced before the reset\n",
          repr(durable[:80]))
    status, out = boot("verify")
    r.add(f"{name}/fsynced-after-reboot", status == 0 and "disk_ext2 verify: ok" in out,
          f"exit {status}, see {LOGS}/{name}-verify.log")
    return name, r, time.time() - t0


def run_panic_boot(iso, timeout):
    r = Results()
    name = "expected-panic"
    halted = lambda l: "All CPUs halted" in l
    lines, status, secs, log = qemu_boot(name, iso, "bios", "q35", 2, "256M", timeout,
                                         stop_on=halted)
    text = "\n".join(TS.sub("", l) for l in lines)
    want = [
        ("page-fault-reported", r"BUG: unable to handle page fault for address: 0000000000000020"),
        ("access-decoded", r"#PF: supervisor write access in kernel mode"),
        ("rip-symbolized", r"RIP: 0010:panic_test_bad_write\+0x[0-9a-f]+/0x[0-9a-f]+"),
        ("registers", r"RAX: [0-9a-f]{16} RBX: [0-9a-f]{16}"),
        ("backtrace-symbolized", r"Call Trace:\n(?: .*\n)* kmain_late\+0x"),
        ("panic-line", r"Kernel panic - not syncing: Fatal exception"),
        ("halted", r"All CPUs halted"),
    ]
    for label, pat in want:
        r.add(f"{name}/{label}", re.search(pat, text) is not None, f"see {log}")
    return name, r, secs


# ---- the lock checker's boots ----------------------------------------------
LOCKDEP_HEAD = re.compile(r"^lockdep: (WARNING|BUG): (.*)$")
LOCKDEP_TROUBLE = re.compile(r"^lockdep: (checker off|\d+ more reports not shown)")


def lockdep_checks(name, lines, r, allowed_prefix):
    """Every report must name only locks starting with allowed_prefix (None:
    no report at all), and the checker must have stayed on."""
    body = [TS.sub("", l) for l in lines]
    heads = [m.group(2) for m in (LOCKDEP_HEAD.match(l) for l in body) if m]
    bad = [h for h in heads if allowed_prefix is None or
           any(not n.startswith(allowed_prefix) for n in re.findall(r'"([^"]*)"', h))]
    r.add(f"{name}/lockdep-no-unexpected-reports", not bad,
          f"{len(bad)} report(s), first: {bad[0] if bad else ''}")
    trouble = [l for l in body if LOCKDEP_TROUBLE.match(l)]
    r.add(f"{name}/lockdep-stayed-on", not trouble, trouble[0] if trouble else "")


LOCKS_CFG = dict(fw="bios", machine="q35", smp=4)


def run_locks_ktest_boot(iso, timeout):
    cfg = dict(LOCKS_CFG, name="debug-locks-ktest-bios-q35-smp4", mem="512M")
    r = Results()
    lines, text, status, secs, log = boot_and_parse(cfg, iso, timeout, r)
    if status != "timeout" and "Kernel panic" not in text:
        r.add(f"{cfg['name']}/completes", "reboot: Power down" in text, f"see {log}")
    lockdep_checks(cfg["name"], lines, r, "ktest_lockdep_")
    return cfg["name"], r, secs


def run_locks_user_boot(iso, timeout):
    cfg = dict(LOCKS_CFG, name="debug-locks-user-bios-q35-smp4", mem="2G")
    r = Results()
    lines, text, status, secs, log = boot_and_parse(cfg, iso, timeout, r)
    if status != "timeout" and "Kernel panic" not in text:
        r.add(f"{cfg['name']}/init-exit-0", "init: exited with status 0" in text, f"see {log}")
    lockdep_checks(cfg["name"], lines, r, None)
    return cfg["name"], r, secs


# ---- the ports boot: busybox init, dash, busybox sh, lua, sqlite3 ---------
PORTS_CFG = dict(name="ports-bios-q35-smp2", fw="bios", machine="q35", smp=2, mem="512M")


def run_ports_boot(iso, timeout):
    """The run image with user/ports/test/ on top: busybox init runs the
    script, lua and sqlite3 checks (user/ports/test/usr/share/ports-test/),
    which print `ports: ok NAME` / `ports: not ok NAME: why` and finally
    `ports: done N`; then `poweroff` must end QEMU through init."""
    cfg, r = PORTS_CFG, Results()
    name = cfg["name"]
    done = lambda l: "Kernel panic" in l or "All CPUs halted" in l
    lines, status, secs, log = qemu_boot(name, iso, cfg["fw"], cfg["machine"], cfg["smp"],
                                         cfg["mem"], timeout, stop_on=done)
    body = [TS.sub("", l) for l in lines]
    ran, total = script_results(r, name, body, "ports")
    r.add(f"{name}/all-ran", total is not None and total == ran and ran > 0,
          f"{ran} results, done line says {total} (status {status}), see {log}")
    r.add(f"{name}/poweroff", "reboot: Power down" in "\n".join(body),
          f"no power-off after the tests (status {status}), see {log}")
    return name, r, secs


# ---- job control typed at the serial console ---------------------------------
class SerialSession:
    """QEMU's serial port on a pipe, driven like a person at a terminal:
    send() types bytes (control characters included: ^C is b"\x03"),
    expect() waits for a regular expression in what the guest printed
    since the last match. Everything seen goes to the boot's log."""

    def __init__(self, name, iso, smp, mem):
        os.makedirs(LOGS, exist_ok=True)
        self.log_path = os.path.join(LOGS, f"{name}.log")
        self.log = open(self.log_path, "wb")
        cmd = [os.path.join(ROOT, "scripts/qemu.sh"), "--headless", "--iso", iso,
               "--smp", str(smp), "--mem", mem]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
        os.set_blocking(self.p.stdout.fileno(), False)
        self.buf = b""

    def _pump(self):
        chunk = self.p.stdout.read()
        if chunk:
            self.buf += chunk
            self.log.write(chunk)
            self.log.flush()
        return bool(chunk)

    def expect(self, pattern, timeout):
        """The match object, or None after timeout seconds (or QEMU's end)."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        while time.time() < end:
            m = rx.search(self.buf)
            if m:
                self.buf = self.buf[m.end():]
                return m
            if not self._pump():
                if self.p.poll() is not None:
                    self._pump()
                    return rx.search(self.buf)
                time.sleep(0.05)
        return None

    def send(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.log.close()


JOBCTL_CFG = dict(name="console-jobctl-bios-q35-smp2", smp=2, mem="512M")
PROMPT = rb"# $"


def run_console_jobctl(iso, timeout):
    """The run image (busybox init, a login shell on the console) typed at
    through the serial port: a long job stopped with ^Z, resumed with bg
    and fg, killed with ^C and ^\ while the shell lives on; dash reading
    edited lines; vi editing a file and top drawing on the raw terminal;
    exit and ^D end the shell (init starts another); poweroff ends QEMU. Each step
    checks what a person would see, and ps's state letter of the job."""
    cfg, r = JOBCTL_CFG, Results()
    name = cfg["name"]
    start = time.time()
    s = SerialSession(name, iso, cfg["smp"], cfg["mem"])
    wait = lambda: max(5.0, timeout - (time.time() - start))
    step = lambda what, ok, detail="": r.add(f"{name}/{what}", bool(ok),
                                              detail or f"see {s.log_path}")

    def press(key, pattern):
        """Type key until pattern shows, as a person presses ^Z again when
        nothing happened (a loaded host may not have started the job yet
        when the first one came, and the shell ignores it)."""
        end = time.time() + wait()
        while time.time() < end:
            s.send(key)
            m = s.expect(pattern, min(15.0, max(1.0, end - time.time())))
            if m:
                return m
        return None

    def shell_pid():
        s.send(b"echo pid-$$-end\n")
        m = s.expect(rb"pid-(\d+)-end\r*\n", wait())
        s.expect(PROMPT, wait())
        return int(m.group(1)) if m else None

    def sleep_state():
        s.send(b"echo st-$(ps -o stat,args | awk '$2 == \"sleep\" {print $1}')-end\n")
        m = s.expect(rb"st-([A-Z]*)-end\r*\n", wait())
        s.expect(PROMPT, wait())
        return m.group(1).decode() if m else None

    try:
        ok = s.expect(PROMPT, wait())
        step("prompt", ok)
        if not ok:
            return name, r, time.time() - start
        sh = shell_pid()
        step("shell-pid", sh, "no answer to echo $$")
        s.send(b"sleep 100\n")
        s.expect(rb"sleep 100\r*\n", wait())
        time.sleep(1)                   # let the job start reading nothing
        step("ctrl-z-stops", press(b"\x1a", rb"\^Z.*Stopped\s+sleep 100"))
        s.expect(PROMPT, wait())
        st = sleep_state()
        step("stopped-state-T", st == "T", f"ps says {st!r}")
        s.send(b"bg\n")
        step("bg", s.expect(rb"\[1\] sleep 100", wait()))
        s.expect(PROMPT, wait())
        st = sleep_state()
        step("bg-running", st in ("S", "R"), f"ps says {st!r}")
        s.send(b"fg\n")
        step("fg", s.expect(rb"fg\r*\n(\x1b\[[0-9;]*[A-Za-z])*sleep 100\r*\n", wait()))
        time.sleep(1)
        step("ctrl-c-kills-job", press(b"\x03", rb"\^C" + rb"[\s\S]*?" + PROMPT))
        step("shell-survives-ctrl-c", shell_pid() == sh)
        step("job-gone-after-ctrl-c", sleep_state() == "")
        s.send(b"sleep 100\n")
        s.expect(rb"sleep 100\r*\n", wait())
        time.sleep(1)
        step("ctrl-backslash-quits-job", press(b"\x1c", rb"\^\\[\s\S]*?Quit[\s\S]*?" + PROMPT))
        step("shell-survives-ctrl-backslash", shell_pid() == sh)
        # Canonical mode for a program without line editing: dash reads
        # lines the terminal edited (erase with DEL), ^D ends it.
        s.send(b"dash\n")
        s.expect(rb"dash\r*\n", wait())
        time.sleep(1)
        s.send(b"echo da-$((6*7))-shX\x7f\n")
        step("dash-canonical-erase", s.expect(rb"\nda-42-sh\r*\n", wait()))
        s.send(b"\x04")
        step("dash-ctrl-d", shell_pid() == sh)
        # Full-screen programs on the raw terminal: vi inserts text, ESC
        # leaves insert mode, :wq writes the file; top draws its screen and
        # quits on q.
        s.send(b"vi /tmp/vi-test\n")
        time.sleep(2)
        s.send(b"ihello from vi")
        time.sleep(0.5)
        s.send(b"\x1b")
        time.sleep(1)
        s.send(b":wq\r")
        s.expect(PROMPT, wait())
        s.send(b"echo vi-$(cat /tmp/vi-test)-end\n")
        step("vi-edits-file", s.expect(rb"vi-hello from vi-end\r*\n", wait()))
        s.expect(PROMPT, wait())
        s.send(b"top\n")
        step("top-draws", s.expect(rb"Mem:[\s\S]*?PID[\s\S]*?top", wait()))
        time.sleep(1)
        s.send(b"q")
        step("top-quits-on-q", s.expect(PROMPT, wait()))
        step("shell-survives-vi-top", shell_pid() == sh)
        s.send(b"exit\n")
        s.expect(rb"exit\r*\n", wait())
        sh2 = shell_pid()
        step("exit-ends-shell", sh2 and sh2 != sh, f"shell pid {sh} then {sh2}")
        s.send(b"\x04")
        sh3 = shell_pid()
        step("ctrl-d-ends-shell", sh3 and sh3 not in (sh, sh2), f"shell pid {sh2} then {sh3}")
        s.send(b"poweroff\n")
        step("poweroff", s.expect(rb"reboot: Power down", wait()))
    finally:
        s.close()
    return name, r, time.time() - start


# ---- the PS/2 keyboard, typed through QEMU's QMP socket ---------------------
KBD_BOOTS = [
    dict(name="kbd-ps2-bios-q35-smp1", fw="bios", machine="q35", smp=1, mem="256M"),
    dict(name="kbd-ps2-bios-pc-smp2", fw="bios", machine="pc", smp=2, mem="256M"),
]
# What the harness types once tests/user/kbd_ps2.c says it is ready; the
# program knows the list and checks the events and console bytes.
KBD_KEYS = [["a"], ["shift", "b"], ["up"], ["caps_lock"], ["c"], ["caps_lock"],
            ["shift", "c"], ["alt", "x"], ["ret"]]
# After it switched the terminal to application cursor keys (CSI ? 1 h).
KBD_KEYS_APP_CURSOR = [["up"], ["ret"]]


def qmp_type_keys(sock_path, keys, log):
    """Connect to QEMU's QMP socket and send each chord with send-key (the
    keys of a chord are pressed in order and released after QEMU's hold
    time); chords are paced so one is released before the next comes."""
    import json
    import socket
    s = socket.socket(socket.AF_UNIX)
    for _ in range(100):
        try:
            s.connect(sock_path)
            break
        except OSError:
            time.sleep(0.1)
    f = s.makefile("rw")

    def call(cmd, **args):
        f.write(json.dumps({"execute": cmd, "arguments": args} if args else {"execute": cmd}) + "\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply or "error" in reply:
                log.append(f"{cmd}: {reply}")
                return reply

    json.loads(f.readline())            # the greeting
    call("qmp_capabilities")
    for chord in keys:
        call("send-key", keys=[{"type": "qcode", "data": k} for k in chord])
        time.sleep(0.4)
    s.close()


def run_kbd_boot(cfg, iso, timeout):
    """The kbd_ps2 program as init: once it prints `kbd_ps2: ready keys`
    the harness types KBD_KEYS through QMP, and KBD_KEYS_APP_CURSOR after
    `kbd_ps2: ready app-cursor`; the program prints
    `kbd_ps2: ok NAME` / `kbd_ps2: not ok NAME: why` and exits with the
    number of failures."""
    import threading
    r = Results()
    name = cfg["name"]
    os.makedirs(LOGS, exist_ok=True)
    sock = os.path.join(LOGS, f"{name}.qmp")
    if os.path.exists(sock):
        os.unlink(sock)
    qmp_log, typed = [], set()
    phases = {"kbd_ps2: ready keys": KBD_KEYS, "kbd_ps2: ready app-cursor": KBD_KEYS_APP_CURSOR}

    def on_line(line):
        for trigger, keys in phases.items():
            if trigger in line and trigger not in typed:
                typed.add(trigger)
                threading.Thread(target=qmp_type_keys, args=(sock, keys, qmp_log),
                                 daemon=True).start()
        return "Kernel panic" in line or "All CPUs halted" in line

    lines, status, secs, log = qemu_boot(name, iso, cfg["fw"], cfg["machine"], cfg["smp"],
                                         cfg["mem"], timeout, stop_on=on_line,
                                         extra=["-qmp", f"unix:{sock},server=on,wait=off"])
    body = [TS.sub("", l) for l in lines]
    text = "\n".join(body)
    r.add(f"{name}/driver-found", "ps2kbd: i8042 keyboard on IRQ 1" in text, f"see {log}")
    ran = 0
    for l in body:
        m = re.match(r"^kbd_ps2: (ok|not ok) (\S+)(?:: (.*))?$", l)
        if m:
            ran += 1
            r.add(f"{name}/{m.group(2)}", m.group(1) == "ok", m.group(3) or "")
    r.add(f"{name}/exit-0", "init: exited with status 0" in text and ran > 0,
          f"{ran} checks, status {status}, QMP {qmp_log[-1:] if qmp_log else 'never used'}, see {log}")
    if os.path.exists(sock):
        os.unlink(sock)
    return name, r, secs


# ---- busybox's own testsuite (docs/compat.md) -------------------------------
BBTEST_CFG = dict(name="busybox-testsuite", fw="bios", machine="q35", smp=2, mem="512M")
BBTEST_BASELINE = os.path.join(ROOT, "tests/busybox-baseline.txt")


def read_bb_baseline(path):
    """tests/busybox-baseline.txt: `pass N` and `known-fail NAME` lines
    (what follows ` # ` is the reason); returns (N, {NAME: reason})."""
    floor, known = None, {}
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            key, _, rest = line.partition(" ")
            name, _, why = rest.partition(" # ")
            if key == "pass":
                floor = int(name)
            elif key == "known-fail":
                known[name.strip()] = why.strip()
    return floor, known


def run_bbtest_boot(iso, timeout):
    """The busybox testsuite image (user/ports/bbtest/): its run script
    prints `bbtest: PASS|FAIL|SKIPPED|UNTESTED: NAME` per test, then
    `bbtest: done STATUS`, and powers off. The boot fails if it does not
    finish, if fewer tests pass than the baseline says, or if a test fails
    that the baseline does not list as a known failure."""
    cfg, r = BBTEST_CFG, Results()
    name = cfg["name"]
    done = lambda l: "Kernel panic" in l or "All CPUs halted" in l
    lines, status, secs, log = qemu_boot(name, iso, cfg["fw"], cfg["machine"], cfg["smp"],
                                         cfg["mem"], timeout, stop_on=done)
    counts = {"PASS": 0, "FAIL": 0, "SKIPPED": 0, "UNTESTED": 0}
    failed, finished = [], False
    for l in (TS.sub("", x) for x in lines):
        m = re.match(r"^bbtest: (PASS|FAIL|SKIPPED|UNTESTED): (.*)$", l)
        if m:
            counts[m.group(1)] += 1
            if m.group(1) == "FAIL":
                failed.append(m.group(2).strip())
        if l.startswith("bbtest: done "):
            finished = True
    floor, known = read_bb_baseline(BBTEST_BASELINE)
    print(f"# {name}: " + ", ".join(f"{v} {k}" for k, v in counts.items()) +
          f" (baseline: {floor} PASS, {len(known)} known failures)", flush=True)
    r.add(f"{name}/finished", finished and status != "timeout",
          f"no done line (status {status}), see {log}")
    r.add(f"{name}/pass-count", floor is not None and counts["PASS"] >= floor,
          f"{counts['PASS']} passed, baseline {floor}, see {log}")
    new = [f for f in failed if f not in known]
    r.add(f"{name}/no-new-failures", not new, "; ".join(new[:10]))
    fixed = [k for k in known if k not in failed]
    if finished and fixed:
        print(f"# {name}: known failures that passed (update the baseline): " +
              "; ".join(fixed), flush=True)
    r.add(f"{name}/poweroff", "reboot: Power down" in "\n".join(lines),
          f"no power-off after the tests (status {status}), see {log}")
    return name, r, secs


# ---- the benchmark tool's quick run -----------------------------------------
def run_pool_test(name, cmd, timeout):
    """One command as one result, run next to the boots."""
    r = Results()
    t0 = time.time()
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout)
        ok, detail = p.returncode == 0, f"exit status {p.returncode}"
        out = p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        ok, detail = False, f"timed out after {timeout}s"
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
    if not ok:
        sys.stdout.write(out[-3000:])
    r.add(name, ok, detail)
    return name, r, time.time() - t0


def run_bench_check(cmd, timeout):
    """`make bench QUICK=1` as a test: scripts/bench.py --quick --check boots
    goos and Linux and prints its own ok/not ok lines (both kernels booted,
    reached a working shell, every metric has a figure, the table and JSON
    were written and the table has no gaps); they are
    counted here. The figures themselves are not judged."""
    r = Results()
    start = time.time()
    try:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout)
        out, status = p.stdout + p.stderr, p.returncode
    except subprocess.TimeoutExpired:
        r.add("bench/completes", False, f"timeout after {timeout}s")
        return "bench-quick", r, time.time() - start
    seen = 0
    for line in out.splitlines():
        m = re.match(r"^(ok|not ok) - (bench/\S+)(.*)$", line)
        if m:
            seen += 1
            r.add(m.group(2), m.group(1) == "ok", m.group(3).lstrip(": "))
    if r.failed or status or not seen:
        sys.stdout.write(out[-3000:])
    if not seen:
        r.add("bench/completes", False, f"exit status {status}, no check lines")
    return "bench-quick", r, time.time() - start


# ---- main -----------------------------------------------------------------
MATRIX = [
    dict(fw=fw, machine=m, smp=s, mem=mem)
    for fw in ("bios", "uefi") for m in ("q35", "pc") for s in (1, 4) for mem in ("128M", "8G")
]
for c in MATRIX:
    c["name"] = f"{c['fw']}-{c['machine']}-smp{c['smp']}-{c['mem']}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--unit", nargs="*", default=[])
    ap.add_argument("--ktest-iso")
    ap.add_argument("--panic-iso")
    ap.add_argument("--user-iso")
    ap.add_argument("--user-static-iso", help="the user tests in one link mode")
    ap.add_argument("--block-iso", help="a kernel that runs the block ktest suite")
    ap.add_argument("--locks-block-iso", help="the same with the lock checker")
    ap.add_argument("--locks-ktest-iso")
    ap.add_argument("--net-kernel", help="a kernel for the network boots (NET_BOOTS)")
    ap.add_argument("--net-test-cpio", help="the run image with the network checks "
                    "(boot net-busybox-*, with --net-kernel)")
    ap.add_argument("--locks-user-iso")
    ap.add_argument("--ports-iso", help="the run image with the ports tests (boot ports-*)")
    ap.add_argument("--bbtest-iso", help="busybox's testsuite image (boot busybox-testsuite)")
    ap.add_argument("--run-iso", help="the run image, typed at through the serial console "
                                      "(boot console-jobctl-*)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--only", help="regex of boot names to run")
    ap.add_argument("--ext2-prog", help="build/user/disk_ext2-static: the ext2 round trips")
    ap.add_argument("--kbd-iso", help="tests/user/kbd_ps2.c as init: the PS/2 keyboard boots")
    ap.add_argument("--inet-prog", help="build/user/inet_echo-static: TCP through each NIC")
    ap.add_argument("--pool-test", nargs=3, action="append", default=[],
                    metavar=("NAME", "TIMEOUT", "COMMAND"),
                    help="a command (typically a QEMU boot) run in the boot pool; "
                         "passes if it exits 0 within TIMEOUT seconds")
    ap.add_argument("--cmd-test", nargs=2, action="append", default=[],
                    metavar=("NAME", "COMMAND"), help="a shell command that must succeed")
    ap.add_argument("--bench", metavar="COMMAND",
                    help="the benchmark tool in quick check mode (boot name bench-quick)")
    args = ap.parse_args()

    res = Results()
    t0 = time.time()
    for b in args.unit:
        run_unit(b, res)
    for name, cmd in args.cmd_test:
        p = subprocess.run(cmd, shell=True, capture_output=True, text=True)
        if p.returncode:
            sys.stdout.write((p.stdout + p.stderr)[-3000:])
        res.add(name, p.returncode == 0, f"exit status {p.returncode}")

    boots = [c for c in MATRIX if not args.only or re.search(args.only, c["name"])]
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = []
        if args.ktest_iso:
            futs += [ex.submit(run_matrix_boot, c, args.ktest_iso, args.timeout) for c in boots]
        if args.user_iso:
            futs += [ex.submit(run_user_boot, c,
                               args.user_static_iso if c.get("static_only") else args.user_iso,
                               # a hang detector, not a speed test: a 4-CPU boot on
                               # a loaded 2-CPU host has needed over 10 minutes
                               args.timeout * 8)
                     for c in USER_BOOTS if not args.only or re.search(args.only, c["name"])]
        wanted = lambda name: not args.only or re.search(args.only, name)
        for c in DISK_BOOTS:
            iso = args.locks_block_iso if c.get("locks") else args.block_iso
            if iso and wanted(c["name"]):
                futs.append(ex.submit(run_disk_boot, c, iso, args.timeout))
        for c in NET_BOOTS:
            if args.net_kernel and wanted(c["name"]):
                futs.append(ex.submit(run_net_boot, c, args.net_kernel, 60))
        if args.net_kernel and args.net_test_cpio and wanted(NET_BUSYBOX_CFG["name"]):
            futs.append(ex.submit(run_net_busybox_boot, args.net_kernel, args.net_test_cpio, 600))
        if args.locks_ktest_iso and wanted("debug-locks-ktest-bios-q35-smp4"):
            futs.append(ex.submit(run_locks_ktest_boot, args.locks_ktest_iso, args.timeout))
        if args.locks_user_iso and wanted("debug-locks-user-bios-q35-smp4"):
            futs.append(ex.submit(run_locks_user_boot, args.locks_user_iso, args.timeout * 3))
        if args.ports_iso and wanted(PORTS_CFG["name"]):
            futs.append(ex.submit(run_ports_boot, args.ports_iso, 170))
        if args.run_iso and wanted(JOBCTL_CFG["name"]):
            futs.append(ex.submit(run_console_jobctl, args.run_iso, 300))
        for name in NET_PROG_BOOTS:
            if args.inet_prog and wanted(name):
                futs.append(ex.submit(run_net_prog_boot, name, args.inet_prog, 120))
        if args.bbtest_iso and wanted(BBTEST_CFG["name"]):
            # a hang detector: 120-317 s on the loaded 2-core host (docs/compat.md)
            futs.append(ex.submit(run_bbtest_boot, args.bbtest_iso, 900))
        for name in EXT2_BUSES:
            if args.ext2_prog and wanted(name):
                futs.append(ex.submit(run_ext2_boot, name, args.ext2_prog, 600))
        for c in KBD_BOOTS:
            if args.kbd_iso and wanted(c["name"]):
                futs.append(ex.submit(run_kbd_boot, c, args.kbd_iso, args.timeout))
        if args.panic_iso and (not args.only or re.search(args.only, "expected-panic")):
            futs.append(ex.submit(run_panic_boot, args.panic_iso, args.timeout))
        for name, secs, cmd in args.pool_test:
            if wanted(name):
                futs.append(ex.submit(run_pool_test, name, cmd, int(secs)))
        if args.bench and wanted("bench-quick"):
            futs.append(ex.submit(run_bench_check, args.bench, 300))
        for f in cf.as_completed(futs):
            name, r, secs = f.result()
            print(f"# boot {name}: {r.passed} passed, {r.failed} failed in {secs:.1f}s", flush=True)
            res.passed += r.passed
            res.failed += r.failed
            res.failures += r.failures

    print(f"# total time {time.time() - t0:.0f}s")
    if res.failures:
        print("# failures:")
        for f in res.failures:
            print(f"#   {f}")
    print(f"{res.passed} passed, {res.failed} failed")
    return 1 if res.failed else 0


if __name__ == "__main__":
    sys.exit(main())
