/*
 * What the parts of the benchmark program (tests/bench/: bench.c, the
 * driver and the basic micro-benchmarks; ipc.c, pipes next to goos
 * channels and ownership; net.c, TCP) share: the helpers below and the
 * benchmark functions the table in bench.c lists. A benchmark performs its
 * operation iters times and returns 0, an errno, or ONE_CPU.
 */
#pragma once

#define _GNU_SOURCE
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <net/if.h>
#include <net/route.h>
#include <unistd.h>
#include <uapi/goos/chan.h>
#include <uapi/goos/objspace.h>

/* ---- helpers (bench.c) ---- */
void say(const char *fmt, ...);                 /* to the console, unbuffered */
int read_full(int fd, void *buf, size_t n);     /* one read of exactly n bytes */
int read_all(int fd, char *buf, size_t n);      /* reads until n bytes came */
int full_write(int fd, const void *buf, size_t n);
int wait_ok(pid_t pid);                         /* 0 if it exited with status 0 */
int ping_pong(int a_rd, int a_wr, int b_rd, int b_wr, long iters);
int pin_to_cpu(int cpu);
int pin_to_cpu0(void);
void unpin(void);
#define ONE_CPU (-1)    /* not an errno: run_bench says "needs 2 CPUs" */
int need_two_cpus(void);                        /* ONE_CPU on a one-CPU machine */

/* ---- ipc.c ---- */
int b_pipe_rtt_1cpu(long iters);
int b_pipe_rtt_2cpu(long iters);
int b_chan_rtt_1cpu(long iters);
int b_chan_rtt_2cpu(long iters);
int b_pipe_1m(long iters);
int b_own_xfer_1m(long iters);
int b_own_xfer_64k(long iters);

/* ---- net.c ---- */
int b_tcp_rtt(long iters);
int b_tcp_stream_64k(long iters);
int b_tcp_host_send(long iters);
int b_tcp_host_recv(long iters);
int b_tcp_host_rtt(long iters);
int net_host_arg(const char *arg);      /* "IP:PORT" of the host's peer; -1 if bad */
void net_setup(void);                   /* raise lo; as init, set up eth0 for the host */
