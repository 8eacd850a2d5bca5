/*
 * bench: the micro-benchmarks behind `make bench` (scripts/bench.py).
 *
 * One static musl program, booted as init (PID 1) by goos and by Linux from
 * the same initramfs. It measures each operation and prints one line per
 * repetition on the serial console:
 *
 *   BENCH <name> <value> <unit>          a sample
 *   BENCH <name> n/a <unit> <reason>     the kernel lacks what it needs
 *
 * plus BENCH_INIT (printed first: the boot marker), BENCH_INFO lines and
 * BENCH_DONE. Then it powers the machine off (reboot(RB_POWER_OFF); if that
 * fails, returning from init does it on goos).
 *
 * Usage (the words after "--" on the kernel command line):
 *   /bench [quick] [reps=N] [only=NAME,...]  run the benchmarks as init
 *   /bench shell                             print BENCH_INIT, exec busybox init
 *   /bench exit                              exit 0 at once (exec target)
 *
 * Method: each benchmark is a function that performs its operation `iters`
 * times. The iteration count grows (x2 to x16 a step) until one call takes
 * at least the target time (20 ms quick, 100 ms full); then `reps` calls
 * (3 quick, 5 full) are timed with CLOCK_MONOTONIC and each prints a
 * per-operation figure. The host takes medians. Nothing here knows which
 * kernel it runs on: an operation whose system call fails with ENOSYS (or a
 * missing-feature errno) reports n/a.
 *
 * Application benchmarks (`apps`): a fixed workload run as its own program
 * (the ports' speedtest1, busybox sh on tests/bench/shloop.sh), timed whole,
 * in ms; 3 runs (1 quick), a failed run is an error, never a figure.
 *
 * Boot time: the first statement of main() reads the TSC. QEMU starts the
 * TSC at zero when the virtual machine starts (TCG counts host TSC ticks from
 * then; KVM resets the guest TSC), so that reading is the time from reset to
 * the first instruction of /init, in TSC ticks; the TSC rate is measured here
 * against CLOCK_MONOTONIC.
 */
#include "bench.h"

extern char **environ;

/* musl has no <linux/futex.h>; the values are the kernel ABI's. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

/* As init: itself at /bench, a 4 KiB data file, a tmpfs on /tmp. Run by
 * hand on a host (not PID 1) it touches nothing outside a fresh /tmp dir. */
static const char *self_path = "/bench";
static const char *data_path = "/bench-data";
static char tmp_dir[64] = "/tmp";
static double target_ns = 100e6;
static int reps = 5;

/* ---- output ------------------------------------------------------------ */

/* One write(2) per line, so lines from different processes never interleave. */
void say(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	while (write(1, buf, n) < 0 && errno == EINTR)
		;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* ---- the benchmarks ----------------------------------------------------
 * Each returns 0, or an errno saying why it cannot run (reported as n/a
 * when the errno means "the kernel does not have this").
 */

typedef int (*bench_fn)(long iters);

static int b_null_syscall(long iters)
{
	for (long i = 0; i < iters; i++)
		syscall(SYS_getpid);
	return 0;
}

static int b_clock_gettime(long iters)
{
	struct timespec ts;

	for (long i = 0; i < iters; i++)
		clock_gettime(CLOCK_MONOTONIC, &ts);
	return 0;
}

int read_full(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

/* A pipe returns what it holds (64 KiB at most): read until n bytes came. */
int read_all(int fd, char *buf, size_t n)
{
	while (n) {
		ssize_t r = read(fd, buf, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		buf += r;
		n -= (size_t)r;
	}
	return 0;
}

int full_write(int fd, const void *buf, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, (const char *)buf + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Round trips of one byte between two processes over fds a (parent's write
 * end, child's read end) and b (the other direction). */
int ping_pong(int a_rd, int a_wr, int b_rd, int b_wr, long iters)
{
	char c = 'x';
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0) {
		for (long i = 0; i < iters; i++) {
			if (read_full(a_rd, &c, 1) || write(b_wr, &c, 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	int err = 0;
	for (long i = 0; i < iters && !err; i++) {
		if (write(a_wr, &c, 1) != 1 || read_full(b_rd, &c, 1))
			err = EIO;
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		err = EIO;
	return err;
}

static int b_pipe_rtt(long iters)
{
	int a[2], b[2];

	if (pipe(a) || pipe(b))
		return errno;
	int err = ping_pong(a[0], a[1], b[0], b[1], iters);
	close(a[0]); close(a[1]); close(b[0]); close(b[1]);
	return err;
}

static int b_unix_rtt(long iters)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return errno;
	int err = ping_pong(sv[1], sv[0], sv[0], sv[1], iters);
	close(sv[0]); close(sv[1]);
	return err;
}

/* Two processes on one CPU, each yielding to the other: every sched_yield
 * is a switch between address spaces. Reported per switch (iters switches
 * in all: each process yields iters/2 times). */
int pin_to_cpu0(void)
{
	return pin_to_cpu(0);
}

void unpin(void)
{
	cpu_set_t all;

	memset(&all, 0xff, sizeof(all));
	sched_setaffinity(0, sizeof(all), &all);
}

static int b_context_switch(long iters)
{
	int err = pin_to_cpu0();
	if (err)
		return err;
	int go[2];
	if (pipe(go))
		return errno;
	pid_t pid = fork();
	if (pid < 0)
		return errno;
	if (pid == 0) {
		char c;
		if (read_full(go[0], &c, 1))
			_exit(1);
		for (long i = 0; i < iters / 2; i++)
			sched_yield();
		_exit(0);
	}
	/* The child is runnable (it inherited the affinity) once it has the byte. */
	if (write(go[1], "g", 1) != 1)
		err = EIO;
	for (long i = 0; i < iters / 2; i++)
		sched_yield();
	int st;
	waitpid(pid, &st, 0);
	close(go[0]);
	close(go[1]);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		err = EIO;
	unpin();	/* the next benchmarks may use every CPU again */
	return err;
}

int wait_ok(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : EIO;
}

static int b_fork_exit(long iters)
{
	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return errno;
		if (pid == 0)
			_exit(0);
		int err = wait_ok(pid);
		if (err)
			return err;
	}
	return 0;
}

static int b_fork_exec(long iters)
{
	char *const argv[] = { (char *)self_path, "exit", NULL };

	for (long i = 0; i < iters; i++) {
		pid_t pid = fork();
		if (pid < 0)
			return errno;
		if (pid == 0) {
			execve(self_path, argv, environ);
			_exit(127);
		}
		int err = wait_ok(pid);
		if (err)
			return err;
	}
	return 0;
}

static int b_posix_spawn(long iters)
{
	char *const argv[] = { (char *)self_path, "exit", NULL };

	for (long i = 0; i < iters; i++) {
		pid_t pid;
		int err = posix_spawn(&pid, self_path, NULL, NULL, argv, environ);
		if (err)
			return err;
		err = wait_ok(pid);
		if (err)
			return err;
	}
	return 0;
}

static void *thread_nop(void *arg)
{
	return arg;
}

static int b_thread_create(long iters)
{
	for (long i = 0; i < iters; i++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, thread_nop, NULL);
		if (err)
			return err;
		pthread_join(t, NULL);
	}
	return 0;
}

/* Futex ping-pong: turn is 0 when the main thread may go, 1 for the other.
 * A round trip is one handover each way. */
static volatile int turn;
static long futex_rounds;

static void futex_wait_for(int want)
{
	int v;

	while ((v = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != want)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, v, NULL, NULL, 0);
}

static void futex_hand_to(int who)
{
	__atomic_store_n(&turn, who, __ATOMIC_RELEASE);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? errno : 0;
}

static int partner_cpu = -1;	/* >= 0: the partner thread pins itself there */

static void *futex_partner(void *arg)
{
	if (partner_cpu >= 0)
		pin_to_cpu(partner_cpu);
	for (long i = 0; i < futex_rounds; i++) {
		futex_wait_for(1);
		futex_hand_to(0);
	}
	return arg;
}

static int b_futex_pingpong(long iters)
{
	pthread_t t;

	turn = 0;
	futex_rounds = iters;
	int err = pthread_create(&t, NULL, futex_partner, NULL);
	if (err)
		return err;
	for (long i = 0; i < iters; i++) {
		futex_hand_to(1);
		futex_wait_for(0);
	}
	pthread_join(t, NULL);
	return 0;
}

/* Diagnostics for the two figures above, on one CPU: the same yield
 * ping-pong between two threads (no address-space switch), and the futex
 * ping-pong with both threads pinned to CPU 0 (no cross-CPU wake-up) and
 * to CPUs 0 and 1 (always one). A thread inherits its creator's affinity. */
static long yield_rounds;

static void *yielder(void *arg)
{
	for (long i = 0; i < yield_rounds; i++)
		sched_yield();
	return arg;
}

static int b_thread_switch(long iters)
{
	pthread_t t;
	int err = pin_to_cpu0();

	if (err)
		return err;
	yield_rounds = iters / 2;
	err = pthread_create(&t, NULL, yielder, NULL);
	if (!err) {
		for (long i = 0; i < iters / 2; i++)
			sched_yield();
		pthread_join(t, NULL);
	}
	unpin();
	return err;
}

static int b_futex_pingpong_1cpu(long iters)
{
	int err = pin_to_cpu0();

	if (err)
		return err;
	err = b_futex_pingpong(iters);
	unpin();
	return err;
}

/* The same with the threads pinned to CPUs 0 and 1: every handover is a
 * cross-CPU wake-up, whatever the scheduler would prefer. */
/* The metrics across two CPUs are n/a on one (make bench ICOUNT=1). */
int need_two_cpus(void)
{
	return sysconf(_SC_NPROCESSORS_ONLN) < 2 ? ONE_CPU : 0;
}

static int b_futex_pingpong_2cpu(long iters)
{
	int err = need_two_cpus() ?: pin_to_cpu0();

	if (err)
		return err;
	partner_cpu = 1;
	err = b_futex_pingpong(iters);
	partner_cpu = -1;
	unpin();
	return err;
}

/* Anonymous page faults: iters pages touched (written) once each, in
 * mappings of at most 16 MiB that are unmapped after (the unmap is timed
 * too; it is small next to the faults). */
static int b_page_fault(long iters)
{
	const long page = 4096, chunk = 4096;	/* pages per mapping */

	for (long done = 0; done < iters;) {
		long n = iters - done < chunk ? iters - done : chunk;
		char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return errno;
		for (long i = 0; i < n; i++)
			p[i * page] = 1;
		munmap(p, n * page);
		done += n;
	}
	return 0;
}

static int b_mmap_64m(long iters)
{
	const size_t len = 64ul << 20;

	for (long i = 0; i < iters; i++) {
		void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return errno;
		if (munmap(p, len))
			return errno;
	}
	return 0;
}

/* Files: create+write 4 KiB+close of distinct files under tmp_dir (a tmpfs
 * when the kernel can mount one). They are removed by file_cleanup after
 * each timed call, outside the timing. */
static char file_buf[4096];
static long files_made;

static void file_name(char *buf, size_t n, long i)
{
	snprintf(buf, n, "%s/f%ld", tmp_dir, i);
}

static int b_file_create(long iters)
{
	char name[96];

	for (long i = 0; i < iters; i++) {
		file_name(name, sizeof(name), i);
		int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return errno;
		if (i + 1 > files_made)
			files_made = i + 1;
		if (write(fd, file_buf, sizeof(file_buf)) != sizeof(file_buf))
			return errno;
		close(fd);
	}
	return 0;
}

static void file_cleanup(void)
{
	char name[96];

	for (long i = 0; i < files_made; i++) {
		file_name(name, sizeof(name), i);
		unlink(name);
	}
	files_made = 0;
}

/* open+read 4 KiB+close of a file that is in the initramfs on both kernels
 * (Linux unpacks it into a tmpfs rootfs; goos into its in-memory fs). */
static int b_file_read(long iters)
{
	for (long i = 0; i < iters; i++) {
		int fd = open(data_path, O_RDONLY);
		if (fd < 0)
			return errno;
		if (read(fd, file_buf, sizeof(file_buf)) != sizeof(file_buf))
			return errno ? errno : EIO;
		close(fd);
	}
	return 0;
}

static int b_stat(long iters)
{
	struct stat st;

	for (long i = 0; i < iters; i++)
		if (stat(data_path, &st))
			return errno;
	return 0;
}

/* ---- the driver ---------------------------------------------------------- */

struct bench {
	const char *name;
	bench_fn fn;
	const char *unit;	/* of the printed figure */
	double per;		/* figure = ns per iteration / per */
	void (*cleanup)(void);
};

static const struct bench benches[] = {
	/* name                function          unit   per  cleanup */
	{ "null_syscall",      b_null_syscall,   "ns",  1 },
	{ "clock_gettime",     b_clock_gettime,  "ns",  1 },
	{ "pipe_rtt",          b_pipe_rtt,       "us",  1000 },
	{ "unix_rtt",          b_unix_rtt,       "us",  1000 },
	{ "tcp_rtt",           b_tcp_rtt,        "us",  1000 },
	{ "tcp_stream_64k",    b_tcp_stream_64k, "us",  1000 },
	{ "tcp_host_send_64k", b_tcp_host_send,  "us",  1000 },
	{ "tcp_host_recv_64k", b_tcp_host_recv,  "us",  1000 },
	{ "tcp_host_rtt",      b_tcp_host_rtt,   "us",  1000 },
	{ "context_switch",    b_context_switch, "ns",  1 },
	{ "fork_exit_wait",    b_fork_exit,      "us",  1000 },
	{ "fork_exec_wait",    b_fork_exec,      "us",  1000 },
	{ "posix_spawn",       b_posix_spawn,    "us",  1000 },
	{ "thread_create_join", b_thread_create, "us",  1000 },
	{ "futex_pingpong",    b_futex_pingpong, "us",  1000 },
	{ "thread_switch",     b_thread_switch,  "ns",  1 },
	{ "futex_pingpong_1cpu", b_futex_pingpong_1cpu, "us", 1000 },
	{ "futex_pingpong_2cpu", b_futex_pingpong_2cpu, "us", 1000 },
	{ "page_fault",        b_page_fault,     "ns",  1 },
	{ "mmap_munmap_64m",   b_mmap_64m,       "us",  1000 },
	{ "file_create_write_close", b_file_create, "us", 1000, file_cleanup },
	{ "file_open_read_close", b_file_read,   "us",  1000 },
	{ "stat",              b_stat,           "ns",  1 },
	{ "pipe_rtt_1cpu",     b_pipe_rtt_1cpu,  "us",  1000 },
	{ "pipe_rtt_2cpu",     b_pipe_rtt_2cpu,  "us",  1000 },
	{ "chan_rtt_1cpu",     b_chan_rtt_1cpu,  "us",  1000 },
	{ "chan_rtt_2cpu",     b_chan_rtt_2cpu,  "us",  1000 },
	{ "pipe_1m",           b_pipe_1m,        "us",  2000 },
	{ "own_xfer_1m",       b_own_xfer_1m,    "us",  2000 },
	{ "own_xfer_64k",      b_own_xfer_64k,   "us",  2000 },
};

/* Is name one of the comma-separated names in list? */
static int listed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : p + strlen(p))
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == 0))
			return 1;
	return 0;
}

/* Errnos that mean "this kernel lacks the feature", not "the benchmark broke". */
static int missing_feature(int err)
{
	return err == ENOSYS || err == EAFNOSUPPORT || err == EROFS ||
	       err == EPROTONOSUPPORT || err == EOPNOTSUPP;
}

static int run_bench(const struct bench *b)
{
	long iters = 1;
	double t;
	int err;

	for (;;) {
		t = now_ns();
		err = b->fn(iters);
		t = now_ns() - t;
		if (b->cleanup)
			b->cleanup();
		if (err || t >= target_ns || iters >= (1l << 30))
			break;
		/* Aim a little past the target from what this call took. */
		long next = t > 0 ? (long)(iters * (target_ns * 1.2 / t)) : iters * 16;
		iters = next > iters * 16 ? iters * 16 : next < iters * 2 ? iters * 2 : next;
	}
	if (err) {
		if (err == ONE_CPU || missing_feature(err)) {
			say("BENCH %s n/a %s %s\n", b->name, b->unit,
			    err == ONE_CPU ? "needs 2 CPUs" : strerror(err));
			return 0;
		}
		say("BENCH_ERROR %s %s\n", b->name, strerror(err));
		return 1;
	}
	for (int r = 0; r < reps; r++) {
		t = now_ns();
		err = b->fn(iters);
		t = now_ns() - t;
		if (b->cleanup)
			b->cleanup();
		if (err) {
			say("BENCH_ERROR %s %s\n", b->name, strerror(err));
			return 1;
		}
		say("BENCH %s %.3f %s\n", b->name, t / iters / b->per, b->unit);
	}
	return 0;
}

/* ---- application benchmarks --------------------------------------------
 * A fixed workload run as its own program (fork, execve, waitpid), timed end
 * to end: the figure is the whole run in ms, not a per-operation cost. The
 * programs are the ports' static musl builds in the same initramfs
 * (scripts/bench.py packs them); their output goes to a file in /tmp, shown
 * only when the run fails. Both get the same environment on both kernels.
 */
struct app {
	const char *name;
	const char *argv[6];		/* full mode */
	const char *argv_quick[6];	/* quick mode: a tiny size */
	const char *scratch;		/* a file the run leaves behind, removed after */
};

static const struct app apps[] = {
	/* sqlite's speedtest1, database file in the tmpfs /tmp (default
	 * journal and synchronous settings: fsync is called, cheap on tmpfs) */
	{ "speedtest1",
	  { "/bin/speedtest1", "--size", "5", "/tmp/speedtest1.db" },
	  { "/bin/speedtest1", "--size", "1", "/tmp/speedtest1.db" },
	  "/tmp/speedtest1.db" },
	/* tests/bench/shloop.sh: a busybox sh loop forking common tools */
	{ "sh_loop",
	  { "/bin/sh", "/usr/share/bench/shloop.sh", "30" },
	  { "/bin/sh", "/usr/share/bench/shloop.sh", "3" } },
};
static int app_reps = 3;
static int quick_mode;

/* The last lines of the run's output, as BENCH_ERROR context. */
static void show_tail(const char *name, const char *path)
{
	char buf[512];
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	off_t end = lseek(fd, 0, SEEK_END);
	lseek(fd, end > (off_t)sizeof(buf) - 1 ? end - (off_t)sizeof(buf) + 1 : 0, SEEK_SET);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		say("BENCH_ERROR %s output: %.200s\n", name, line);
}

/* One run: 0 and *ms, or an errno; *status is waitpid's (a failed program
 * returns EIO). */
static int run_app_once(const struct app *a, const char *out, double *ms, int *status)
{
	static char *const envp[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/",
				      "TERM=dumb", NULL };
	char *const *argv = (char *const *)(quick_mode ? a->argv_quick : a->argv);
	double t = now_ns();
	pid_t pid = fork();

	*ms = 0;
	if (pid < 0)
		return errno;
	if (pid == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || chdir("/tmp"))
			_exit(126);
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (waitpid(pid, status, 0) != pid)
		return errno;
	*ms = (now_ns() - t) / 1e6;
	if (a->scratch)
		unlink(a->scratch);
	return WIFEXITED(*status) && WEXITSTATUS(*status) == 0 ? 0 : EIO;
}

static int run_app(const struct app *a)
{
	char out[96];

	snprintf(out, sizeof(out), "%s/%s.out", tmp_dir, a->name);
	for (int r = 0; r < app_reps; r++) {
		double ms;
		int st = 0, err = run_app_once(a, out, &ms, &st);
		if (err == EIO && WIFSIGNALED(st))
			say("BENCH_ERROR %s run %d killed by signal %d\n", a->name, r + 1, WTERMSIG(st));
		else if (err == EIO)
			say("BENCH_ERROR %s run %d exit status %d\n", a->name, r + 1, WEXITSTATUS(st));
		else if (err)
			say("BENCH_ERROR %s run %d: %s\n", a->name, r + 1, strerror(err));
		if (err) {
			show_tail(a->name, out);
			unlink(out);
			return 1;
		}
		say("BENCH %s %.3f ms\n", a->name, ms);
	}
	unlink(out);
	return 0;
}

/* Linux gives init no fds when the initramfs has no /dev/console; make the
 * node and open it (goos opens the console for init itself). */
static void ensure_console(void)
{
	if (write(1, "", 0) == 0)
		return;
	mkdir("/dev", 0755);
	mknod("/dev/console", S_IFCHR | 0600, makedev(5, 1));
	int fd = open("/dev/console", O_RDWR);
	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

static void setup_tmp(void)
{
	mkdir("/tmp", 01777);
	if (mount("none", "/tmp", "tmpfs", 0, NULL) == 0)
		say("BENCH_INFO tmp tmpfs\n");
	else
		say("BENCH_INFO tmp rootfs (mount: %s)\n", strerror(errno));
}

/* Print "BENCH_INFO key <first line of path>" if the file can be read. */
static void report_file(const char *key, const char *path)
{
	char buf[160];
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		say("BENCH_INFO %s %s\n", key, buf);
	}
	close(fd);
}

/* The kernel's clock source, where sysfs says (Linux: HPET or TSC under
 * QEMU; the table reports both), and the Meltdown/Spectre v2 mitigations it
 * chose for this CPU model (page-table isolation makes every Linux syscall
 * switch page tables, which TCG makes expensive). Nothing is printed
 * without sysfs. */
static void report_clocksource(void)
{
	mkdir("/sys", 0755);
	if (mount("sysfs", "/sys", "sysfs", 0, NULL))
		return;
	report_file("clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	report_file("meltdown", "/sys/devices/system/cpu/vulnerabilities/meltdown");
	report_file("spectre_v2", "/sys/devices/system/cpu/vulnerabilities/spectre_v2");
	umount("/sys");
}

/* A CLOCK_MONOTONIC reading and the TSC at the same moment: the clock read
 * between two TSC reads, the narrowest of a few tries. On a loaded host the
 * vCPU can be descheduled between two reads; a single pair then skewed the
 * rate below by milliseconds in a 10 ms window. */
static void stamp(double *ns, double *tsc)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 8; i++) {
		uint64_t a = rdtsc();
		double t = now_ns();
		uint64_t b = rdtsc();
		if (b - a < best) {
			best = b - a;
			*ns = t;
			*tsc = a + (b - a) / 2.0;
		}
	}
}

/* TSC ticks per second, against CLOCK_MONOTONIC over ~target/2. */
static double tsc_hz(void)
{
	double t0, c0, t1, c1;

	stamp(&t0, &c0);
	while (now_ns() - t0 < target_ns / 2)
		;
	stamp(&t1, &c1);
	return (c1 - c0) / ((t1 - t0) / 1e9);
}

static void power_off(void)
{
	if (getpid() != 1)
		return;
	sync();
	reboot(RB_POWER_OFF);
}

/* The boot-to-shell boot (`/bench shell`): having printed BENCH_INIT, hand
 * PID 1 to busybox init, which runs the run image's /etc/inittab: rcS, then
 * a login shell on the console. scripts/bench.py times the prompt's arrival
 * on the serial port, types a command to see the shell work, then
 * `poweroff`. */
static int boot_shell(void)
{
	char *const argv[] = { "init", NULL };

	execve("/sbin/init", argv, environ);
	say("BENCH_ERROR boot_to_shell execve /sbin/init: %s\n", strerror(errno));
	power_off();
	return 1;
}

int main(int argc, char **argv)
{
	uint64_t tsc_at_init = rdtsc();
	const char *only = NULL;

	if (argc > 1 && strcmp(argv[1], "exit") == 0)
		return 0;
	ensure_console();
	say("BENCH_INIT\n");
	struct utsname u;
	if (uname(&u) == 0)
		say("BENCH_INFO uname %s %s\n", u.sysname, u.release);
	if (argc > 1 && strcmp(argv[1], "shell") == 0) {
		/* The host converts it with this kernel's tsc_hz from the
		 * benchmark boot: measuring the rate here would delay the shell. */
		say("BENCH_INFO tsc_at_init %llu\n", (unsigned long long)tsc_at_init);
		return boot_shell();
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "quick") == 0) {
			target_ns = 20e6;
			reps = 3;
			app_reps = 1;
			quick_mode = 1;
		} else if (strncmp(argv[i], "reps=", 5) == 0) {
			reps = app_reps = atoi(argv[i] + 5);
		} else if (strncmp(argv[i], "only=", 5) == 0) {
			only = argv[i] + 5;
		} else if (strncmp(argv[i], "host=", 5) == 0) {
			net_host_arg(argv[i] + 5);
		}
	}
	memset(file_buf, 'b', sizeof(file_buf));
	if (getpid() == 1) {
		setup_tmp();
	} else {
		self_path = data_path = "/proc/self/exe";
		strcpy(tmp_dir, "/tmp/bench.XXXXXX");
		if (!mkdtemp(tmp_dir))
			return 1;
	}

	net_setup();
	double hz = tsc_hz();
	say("BENCH_INFO tsc_hz %.0f\n", hz);
	say("BENCH_INFO tsc_at_init %llu\n", (unsigned long long)tsc_at_init);
	if (getpid() == 1)
		say("BENCH boot_to_init %.3f ms\n", tsc_at_init / hz * 1e3);

	int failed = 0;
	for (size_t i = 0; i < sizeof(benches) / sizeof(benches[0]); i++)
		if (!only || listed(only, benches[i].name))
			failed |= run_bench(&benches[i]);
	for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++)
		if (!only || listed(only, apps[i].name))
			failed |= run_app(&apps[i]);
	if (getpid() == 1)
		report_clocksource();	/* the one the benchmarks ran on */
	say("BENCH_DONE %s\n", failed ? "errors" : "ok");
	if (getpid() != 1)
		rmdir(tmp_dir);
	power_off();
	return failed;
}
