/*
 * System-call dispatch. kernel/syscalls.tbl lists every Linux x86-64 call;
 * the generated table maps numbers to the sys_* entry points below (each
 * takes its arguments in Linux's order and returns a value or -errno).
 */
#pragma once

#include <kernel/types.h>

typedef long (*syscall_fn_t)(unsigned long, unsigned long, unsigned long,
			     unsigned long, unsigned long, unsigned long);

extern const unsigned syscall_table_size;
extern const syscall_fn_t syscall_table[];
extern const char *const syscall_names[];
/* goos's own calls (channels, the object space) are numbered from
 * GOOS_SYSCALL_BASE, far above Linux's, in a second dense table. */
#define GOOS_SYSCALL_BASE 1024
extern const unsigned goos_syscall_table_size;
extern const syscall_fn_t goos_syscall_table[];
extern const char *const goos_syscall_names[];

/* Run syscall nr with its six arguments; -ENOSYS (logged once) if absent. */
long syscall_dispatch(unsigned long nr, unsigned long a0, unsigned long a1,
		      unsigned long a2, unsigned long a3, unsigned long a4,
		      unsigned long a5);

/* Entry points (one per implemented call, named in syscalls.tbl). */

/* kernel/sys_task.c, kernel/proc/ */
long sys_getpid(void);
long sys_getppid(void);
long sys_gettid(void);
long sys_sched_yield(void);
__noreturn long sys_exit(int status);
__noreturn long sys_exit_group(int status);
long sys_fork(void);
long sys_vfork(void);
long sys_clone(unsigned long flags, unsigned long newsp, int *ptid, int *ctid,
	       unsigned long tls);
struct clone_args;
long sys_clone3(const struct clone_args *uargs, size_t size);
long sys_wait4(int pid, int *status, int options, void *rusage);
long sys_setpgid(int pid, int pgid);
long sys_getpgid(int pid);
long sys_getpgrp(void);
long sys_setsid(void);
long sys_getsid(int pid);
long sys_syslog(int type, char *buf, int len);
long sys_waitid(int idtype, int id, void *info, int options, void *rusage);
long sys_execve(const char *path, const char *const *argv, const char *const *envp);
long sys_execveat(int dirfd, const char *path, const char *const *argv,
		  const char *const *envp, int flags);

/* kernel/sys_file.c */
long sys_read(int fd, void *buf, size_t count);
long sys_write(int fd, const void *buf, size_t count);
long sys_readv(int fd, const void *iov, unsigned long iovcnt);
long sys_writev(int fd, const void *iov, unsigned long iovcnt);
long sys_close(int fd);
long sys_ioctl(int fd, unsigned cmd, unsigned long arg);
long sys_dup(int oldfd);
long sys_dup2(int oldfd, int newfd);
long sys_dup3(int oldfd, int newfd, int flags);

/* kernel/sys_mm.c */
long sys_mmap(unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, unsigned long fd, unsigned long off);
long sys_msync(unsigned long addr, unsigned long len, int flags);
long sys_munmap(unsigned long addr, unsigned long len);
long sys_mprotect(unsigned long addr, unsigned long len, unsigned long prot);
long sys_brk(unsigned long brk);
long sys_mremap(unsigned long old_addr, unsigned long old_len, unsigned long new_len,
		unsigned long flags, unsigned long new_addr);
long sys_madvise(unsigned long addr, unsigned long len, int advice);

/* kernel/sys_info.c */
long sys_uname(void *buf);
long sys_sethostname(const char *name, int len);
long sys_arch_prctl(int code, unsigned long addr);
long sys_set_tid_address(int *tidptr);
long sys_getrandom(void *buf, size_t len, unsigned flags);
long sys_prlimit64(int pid, unsigned resource, const void *new_limit, void *old_limit);
long sys_getrlimit(unsigned resource, void *old_limit);
long sys_setrlimit(unsigned resource, const void *new_limit);
long sys_reboot(unsigned magic1, unsigned magic2, unsigned cmd, void *arg);

/* kernel/proc/cred.c */
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);
long sys_setuid(uint32_t uid);
long sys_setgid(uint32_t gid);
long sys_setreuid(uint32_t r, uint32_t e);
long sys_setregid(uint32_t r, uint32_t e);
long sys_setresuid(uint32_t r, uint32_t e, uint32_t s);
long sys_setresgid(uint32_t r, uint32_t e, uint32_t s);
long sys_getresuid(uint32_t *r, uint32_t *e, uint32_t *s);
long sys_getresgid(uint32_t *r, uint32_t *e, uint32_t *s);
long sys_getgroups(int size, uint32_t *list);
long sys_setgroups(int size, const uint32_t *list);
long sys_sendfile(int out_fd, int in_fd, int64_t *uoffset, size_t count);
long sys_copy_file_range(int fd_in, int64_t *uoff_in, int fd_out, int64_t *uoff_out,
			 size_t len, unsigned flags);

/* kernel/pipe.c, kernel/sys_info.c */
long sys_pipe(int *fds);
long sys_pipe2(int *fds, int flags);
long sys_sysinfo(void *info);

/* kernel/signal/, arch/x86_64/signal.c */
long sys_rt_sigaction(int sig, const void *act, void *oact, size_t sigsetsize);
long sys_rt_sigprocmask(int how, const uint64_t *set, uint64_t *oset, size_t sigsetsize);
long sys_rt_sigpending(uint64_t *set, size_t sigsetsize);
long sys_rt_sigsuspend(const uint64_t *mask, size_t sigsetsize);
long sys_rt_sigtimedwait(const uint64_t *set, void *info, const void *timeout, size_t sigsetsize);
long sys_rt_sigqueueinfo(int pid, int sig, const void *info);
long sys_rt_tgsigqueueinfo(int tgid, int tid, int sig, const void *info);
long sys_rt_sigreturn(void);
long sys_sigaltstack(const void *ss, void *old_ss);
long sys_kill(int pid, int sig);
long sys_tkill(int tid, int sig);
long sys_tgkill(int tgid, int tid, int sig);
long sys_pause(void);
long sys_restart_syscall(void);

/* fs/open.c */
long sys_open(const char *path, int flags, unsigned mode);
long sys_openat(int dirfd, const char *path, int flags, unsigned mode);
long sys_creat(const char *path, unsigned mode);
long sys_getdents64(int fd, void *buf, unsigned count);
long sys_lseek(int fd, long off, int whence);

/* fs/sys_namei.c */
long sys_mkdir(const char *path, unsigned mode);
long sys_mkdirat(int dirfd, const char *path, unsigned mode);
long sys_mknod(const char *path, unsigned mode, unsigned dev);
long sys_mknodat(int dirfd, const char *path, unsigned mode, unsigned dev);
long sys_symlink(const char *target, const char *path);
long sys_symlinkat(const char *target, int dirfd, const char *path);
long sys_link(const char *oldpath, const char *newpath);
long sys_linkat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, int flags);
long sys_unlink(const char *path);
long sys_rmdir(const char *path);
long sys_unlinkat(int dirfd, const char *path, int flags);
long sys_rename(const char *oldpath, const char *newpath);
long sys_renameat(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);
long sys_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
		   unsigned flags);
long sys_readlink(const char *path, char *buf, int size);
long sys_readlinkat(int dirfd, const char *path, char *buf, int size);
long sys_chdir(const char *path);
long sys_fchdir(int fd);
long sys_chroot(const char *path);
long sys_getcwd(char *buf, unsigned long size);
long sys_umask(unsigned mask);
long sys_mount(const char *source, const char *target, const char *type,
	       unsigned long flags, const void *data);
long sys_umount2(const char *target, int flags);

/* fs/sys_stat.c */
long sys_stat(const char *path, void *buf);
long sys_lstat(const char *path, void *buf);
long sys_fstat(int fd, void *buf);
long sys_newfstatat(int dirfd, const char *path, void *buf, int flags);
long sys_statx(int dirfd, const char *path, int flags, unsigned mask, void *buf);
long sys_access(const char *path, int mode);
long sys_faccessat(int dirfd, const char *path, int mode);
long sys_faccessat2(int dirfd, const char *path, int mode, int flags);
long sys_chmod(const char *path, unsigned mode);
long sys_fchmod(int fd, unsigned mode);
long sys_fchmodat(int dirfd, const char *path, unsigned mode);
long sys_chown(const char *path, uint32_t uid, uint32_t gid);
long sys_lchown(const char *path, uint32_t uid, uint32_t gid);
long sys_fchown(int fd, uint32_t uid, uint32_t gid);
long sys_fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags);
long sys_utimensat(int dirfd, const char *path, const void *times, int flags);
long sys_truncate(const char *path, long len);
long sys_ftruncate(int fd, long len);
long sys_fallocate(int fd, int mode, long off, long len);
long sys_fsync(int fd);
long sys_fdatasync(int fd);
long sys_sync(void);
long sys_syncfs(int fd);
long sys_statfs(const char *path, void *buf);
long sys_fstatfs(int fd, void *buf);
long sys_memfd_create(const char *name, unsigned flags);

/* kernel/sched/syscalls.c */
long sys_getpriority(int which, int who);
long sys_setpriority(int which, int who, int nice);
long sys_sched_setscheduler(int pid, int policy, const void *param);
long sys_sched_setparam(int pid, const void *param);
long sys_sched_getscheduler(int pid);
long sys_sched_getparam(int pid, void *param);
long sys_sched_get_priority_max(int policy);
long sys_sched_get_priority_min(int policy);
long sys_sched_rr_get_interval(int pid, void *interval);
long sys_sched_setaffinity(int pid, unsigned len, const void *mask);
long sys_sched_getaffinity(int pid, unsigned len, void *mask);
long sys_getcpu(unsigned *cpu, unsigned *node, void *unused);

/* kernel/time/clock.c */
long sys_clock_gettime(int clk, void *ts);
long sys_clock_getres(int clk, void *ts);
long sys_clock_settime(int clk, const void *ts);
long sys_gettimeofday(void *tv, void *tz);
long sys_settimeofday(const void *tv, const void *tz);
long sys_time(int64_t *t);
long sys_nanosleep(const void *req, void *rem);
long sys_clock_nanosleep(int clk, int flags, const void *req, void *rem);
long sys_times(void *buf);
long sys_membarrier(int cmd, unsigned flags, int cpu_id);

/* kernel/fcntl.c */
long sys_fcntl(int fd, int cmd, unsigned long arg);
long sys_close_range(unsigned first, unsigned last, unsigned flags);
long sys_flock(int fd, unsigned op);     /* kernel/locks.c */
long sys_pread64(int fd, void *buf, size_t count, int64_t pos);
long sys_pwrite64(int fd, const void *buf, size_t count, int64_t pos);
long sys_preadv(int fd, const void *iov, int iovcnt, int64_t pos_l, int64_t pos_h);
long sys_pwritev(int fd, const void *iov, int iovcnt, int64_t pos_l, int64_t pos_h);

/* fs/select.c, fs/epoll.c */
long sys_poll(void *fds, unsigned nfds, int timeout_ms);
long sys_ppoll(void *fds, unsigned nfds, void *tsp, const uint64_t *sigmask, size_t sigsetsize);
long sys_select(int nfds, void *readfds, void *writefds, void *exceptfds, void *timeout);
long sys_pselect6(int nfds, void *readfds, void *writefds, void *exceptfds, void *tsp, void *sig);
long sys_epoll_create(int size);
long sys_epoll_create1(int flags);
long sys_epoll_ctl(int epfd, int op, int fd, void *event);
long sys_epoll_wait(int epfd, void *events, int maxevents, int timeout_ms);
long sys_epoll_pwait(int epfd, void *events, int maxevents, int timeout_ms,
		     const uint64_t *sigmask, size_t sigsetsize);
long sys_epoll_pwait2(int epfd, void *events, int maxevents, const void *timeout,
		      const uint64_t *sigmask, size_t sigsetsize);

/* kernel/futex/ */
long sys_futex(uint32_t *uaddr, int op, uint32_t val, unsigned long utime, uint32_t *uaddr2,
	       uint32_t val3);
long sys_set_robust_list(void *head, size_t len);
long sys_get_robust_list(int pid, uint64_t *head_ptr, uint64_t *len_ptr);

/* kernel/time/cputime.c, itimer.c, timerfd.c; kernel/eventfd.c */
long sys_getrusage(int who, void *ru);
long sys_setitimer(int which, const void *value, void *ovalue);
long sys_getitimer(int which, void *value);
long sys_alarm(unsigned seconds);
long sys_timerfd_create(int clk, int flags);
long sys_timerfd_settime(int fd, int flags, const void *value, void *ovalue);
long sys_timerfd_gettime(int fd, void *value);
long sys_eventfd(unsigned initval);
long sys_eventfd2(unsigned initval, int flags);

/* net/sys_socket.c */
long sys_socket(int family, int type, int protocol);
long sys_socketpair(int family, int type, int protocol, int *usv);
long sys_bind(int fd, const void *uaddr, int len);
long sys_connect(int fd, const void *uaddr, int len);
long sys_listen(int fd, int backlog);
long sys_accept(int fd, void *uaddr, int *ulen);
long sys_accept4(int fd, void *uaddr, int *ulen, int flags);
long sys_getsockname(int fd, void *uaddr, int *ulen);
long sys_getpeername(int fd, void *uaddr, int *ulen);
long sys_shutdown(int fd, int how);
long sys_setsockopt(int fd, int level, int name, const void *uval, int len);
long sys_getsockopt(int fd, int level, int name, void *uval, int *ulen);
long sys_sendto(int fd, const void *ubuf, size_t len, int flags, const void *uaddr, int alen);
long sys_recvfrom(int fd, void *ubuf, size_t len, int flags, void *uaddr, int *ulen);
long sys_sendmsg(int fd, const void *umsg, int flags);
long sys_recvmsg(int fd, void *umsg, int flags);

/* ipc/objspace.c (goos: the object space, numbers 1056..1087) */
struct own_range;
struct own_stats;
long sys_own_alloc(uint64_t len);
long sys_own_free(uint64_t addr, uint64_t len);
long sys_own_stat(int pid, struct own_stats *st);
long sys_own_owner(uint64_t addr);
long sys_own_xsend(const struct own_range *r, unsigned n);
long sys_own_xrecv(int handle, unsigned flags);
long sys_own_xdrop(int handle);
/* ipc/chan_sys.c, ipc/chan_name.c: goos channels (docs/channels.md) */
long sys_chan_create(unsigned max_msg, unsigned capacity, int flags);
long sys_chan_send(int fd, const void *msg, int flags, const void *timeout);
long sys_chan_recv(int fd, void *msg, int flags, const void *timeout);
long sys_chan_close(int fd);
long sys_chan_select(void *cases, unsigned n, int flags, const void *timeout);
long sys_chan_publish(int fd, const char *name, unsigned mode);
long sys_chan_unpublish(const char *name);
long sys_chan_open(const char *name, int flags);
long sys_chan_info(int fd, void *info);
