/*
 * syslog(2) (klogctl): the kernel log for dmesg. The log is printk's byte
 * ring (kernel/klog.h), already in syslog's "<level>[seconds] text\n" form.
 * READ (2) and SIZE_UNREAD (9), the destructive reader syslogd uses, are
 * not implemented (EINVAL); /dev/kmsg serves that purpose.
 *
 * Locking: syslog_lock protects clear_pos and saved_loglevel; the ring has
 * its own lock inside klog_read.
 */
#include <kernel/errno.h>
#include <kernel/klog.h>
#include <kernel/proc.h>
#include <kernel/spinlock.h>
#include <kernel/syscall.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

enum {
	SYSLOG_ACTION_CLOSE, SYSLOG_ACTION_OPEN, SYSLOG_ACTION_READ,
	SYSLOG_ACTION_READ_ALL, SYSLOG_ACTION_READ_CLEAR, SYSLOG_ACTION_CLEAR,
	SYSLOG_ACTION_CONSOLE_OFF, SYSLOG_ACTION_CONSOLE_ON, SYSLOG_ACTION_CONSOLE_LEVEL,
	SYSLOG_ACTION_SIZE_UNREAD, SYSLOG_ACTION_SIZE_BUFFER,
};
#define MINIMUM_CONSOLE_LOGLEVEL 1
#define CHUNK 512

static struct spinlock syslog_lock = SPINLOCK_INIT("syslog");
static uint64_t clear_pos;              /* READ_ALL starts here (CLEAR moves it) */
static int saved_loglevel = -1;         /* console level before CONSOLE_OFF */

/* Where READ_ALL starts for a buffer of len bytes: the newest whole lines
 * since the last CLEAR that fit. */
static uint64_t read_all_start(size_t len)
{
	uint64_t head = klog_head(), start = head > len ? head - len : 0;
	spin_lock(&syslog_lock);
	if (start < clear_pos)
		start = clear_pos;
	spin_unlock(&syslog_lock);
	uint64_t at = start ? start - 1 : 0;
	char c;
	/* Start after a newline: skip the cut first line (or one that wrapped). */
	if (start && (klog_read(&c, 1, &at) != 1 || at != start || c != '\n')) {
		while (klog_read(&c, 1, &start) == 1 && c != '\n')
			;
	}
	return start;
}

static long syslog_read_all(char *ubuf, int len)
{
	uint64_t pos = read_all_start((size_t)len), end = klog_head();
	char *chunk = kmalloc(CHUNK);
	long done = 0;

	if (!chunk)
		return -ENOMEM;
	while (done < len && pos < end) {
		size_t want = MIN((size_t)(len - done), MIN((size_t)CHUNK, (size_t)(end - pos)));
		size_t n = klog_read(chunk, want, &pos);
		if (!n)
			break;
		if (copy_to_user(ubuf + done, chunk, n)) {
			done = -EFAULT;
			break;
		}
		done += (long)n;
	}
	kfree(chunk);
	return done;
}

static void syslog_clear(void)
{
	spin_lock(&syslog_lock);
	clear_pos = klog_head();
	spin_unlock(&syslog_lock);
}

long sys_syslog(int type, char *ubuf, int len)
{
	/* As Linux with dmesg_restrict=0: anyone may read, only root may act. */
	if (type != SYSLOG_ACTION_READ_ALL && type != SYSLOG_ACTION_SIZE_BUFFER &&
	    type != SYSLOG_ACTION_CLOSE && type != SYSLOG_ACTION_OPEN &&
	    current_proc()->cred.euid != 0)
		return -EPERM;
	switch (type) {
	case SYSLOG_ACTION_CLOSE:
	case SYSLOG_ACTION_OPEN:
		return 0;
	case SYSLOG_ACTION_READ_ALL:
	case SYSLOG_ACTION_READ_CLEAR: {
		if (!ubuf || len < 0)
			return -EINVAL;
		if (!len)
			return 0;
		long r = syslog_read_all(ubuf, len);
		if (r >= 0 && type == SYSLOG_ACTION_READ_CLEAR)
			syslog_clear();
		return r;
	}
	case SYSLOG_ACTION_CLEAR:
		syslog_clear();
		return 0;
	case SYSLOG_ACTION_CONSOLE_OFF:
		spin_lock(&syslog_lock);
		if (saved_loglevel < 0)
			saved_loglevel = console_loglevel;
		console_loglevel = MINIMUM_CONSOLE_LOGLEVEL;
		spin_unlock(&syslog_lock);
		return 0;
	case SYSLOG_ACTION_CONSOLE_ON:
		spin_lock(&syslog_lock);
		if (saved_loglevel >= 0)
			console_loglevel = saved_loglevel;
		saved_loglevel = -1;
		spin_unlock(&syslog_lock);
		return 0;
	case SYSLOG_ACTION_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		spin_lock(&syslog_lock);
		console_loglevel = len < MINIMUM_CONSOLE_LOGLEVEL ? MINIMUM_CONSOLE_LOGLEVEL : len;
		saved_loglevel = -1;
		spin_unlock(&syslog_lock);
		return 0;
	case SYSLOG_ACTION_SIZE_BUFFER:
		return KLOG_BUF_SIZE;
	default:
		return -EINVAL;         /* READ, SIZE_UNREAD: see the top */
	}
}
