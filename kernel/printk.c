/*
 * printk: format, time-stamp, keep in the log buffer, write to consoles.
 *
 * The log buffer is a byte ring of complete lines in syslog form
 * ("<6>[    1.234567] text\n") so dmesg can read it back later; consoles see
 * the line without the "<6>" prefix and only below console_loglevel.
 *
 * Locking: log_lock (irqsave) protects the ring, the console list and the
 * partial-line state. A panicking CPU takes it over (printk_panic_mode) so a
 * crash inside printk cannot silence the report.
 */
#include <kernel/printk.h>
#include <kernel/console.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <kernel/klog.h>
#include <kernel/time.h>

#define LOG_BUF_SIZE KLOG_BUF_SIZE

static char log_buf[LOG_BUF_SIZE];
static uint64_t log_head;       /* bytes ever written; index = head % size */
static struct spinlock log_lock = SPINLOCK_INIT("printk");
static LIST_HEAD(consoles);
static bool line_open;          /* last message did not end with '\n' */
static bool panic_mode;
int console_loglevel = 7;       /* print levels < this (KERN_DEBUG hidden) */

static void log_store(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		log_buf[(log_head + i) % LOG_BUF_SIZE] = s[i];
	log_head += n;
}

static void console_emit(const char *s, size_t n)
{
	struct console *con;
	list_for_each_entry(con, &consoles, link)
		con->write(con, s, n);
}

void console_register(struct console *con)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	list_add_tail(&con->link, &consoles);
	spin_unlock_irqrestore(&log_lock, flags);
}

static int parse_level(const char **fmt)
{
	const char *f = *fmt;
	if (f[0] == KERN_SOH[0] && f[1] >= '0' && f[1] <= '7') {
		*fmt = f + 2;
		return f[1] - '0';
	}
	return -1;
}

/* Emit one formatted message that may hold several lines. */
static void emit(int level, const char *text, size_t len)
{
	char prefix[40];

	while (len) {
		const char *nl = memchr(text, '\n', len);
		size_t n = nl ? (size_t)(nl - text) + 1 : len;

		if (!line_open) {
			uint64_t ns = time_ns();
			int p = snprintf(prefix, sizeof(prefix), "<%d>[%5llu.%06llu] ",
					 level, (unsigned long long)(ns / 1000000000),
					 (unsigned long long)(ns / 1000 % 1000000));
			log_store(prefix, p);
			if (level < console_loglevel || panic_mode)
				console_emit(prefix + 3, p - 3);
		}
		log_store(text, n);
		if (level < console_loglevel || panic_mode)
			console_emit(text, n);
		line_open = text[n - 1] != '\n';
		text += n;
		len -= n;
	}
}

static int last_level = LOGLEVEL_DEFAULT;

int vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int level = parse_level(&fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

	unsigned long flags = 0;
	if (!panic_mode)
		flags = spin_lock_irqsave(&log_lock);
	if (level < 0)
		level = line_open ? last_level : LOGLEVEL_DEFAULT;
	else if (line_open)
		emit(level, "\n", 1);   /* a new leveled message ends the open line */
	last_level = level;
	emit(level, buf, len);
	if (!panic_mode)
		spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void printk_panic_mode(void)
{
	panic_mode = true;
}

size_t klog_size(void)
{
	return log_head < LOG_BUF_SIZE ? log_head : LOG_BUF_SIZE;
}

size_t klog_read(char *dst, size_t len, uint64_t *pos)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	uint64_t oldest = log_head > LOG_BUF_SIZE ? log_head - LOG_BUF_SIZE : 0;
	size_t n = 0;

	if (*pos < oldest)
		*pos = oldest;
	while (n < len && *pos < log_head) {
		dst[n++] = log_buf[*pos % LOG_BUF_SIZE];
		(*pos)++;
	}
	spin_unlock_irqrestore(&log_lock, flags);
	return n;
}

bool klog_contains(uint64_t since, const char *needle)
{
	char window[256];
	size_t nlen = strlen(needle);
	uint64_t pos = since;

	/* Scan in overlapping windows so a match across chunk ends is found. */
	for (;;) {
		uint64_t start = pos;
		size_t n = klog_read(window, sizeof(window) - 1, &pos);
		if (n < nlen)
			return false;
		window[n] = '\0';
		if (strstr(window, needle))
			return true;
		if (pos >= log_head)
			return false;
		pos = start + n - nlen + 1;
	}
}

uint64_t klog_head(void)
{
	return READ_ONCE(log_head);
}

/* Program output to the consoles (the console device's write): not logged,
 * no timestamp, serialized with kernel messages so lines don't interleave
 * mid-byte. */
void console_write(const char *s, size_t len)
{
	unsigned long flags = spin_lock_irqsave(&log_lock);
	console_emit(s, len);
	spin_unlock_irqrestore(&log_lock, flags);
}

void console_write_raw(const char *s, size_t len)
{
	struct console *con;
	unsigned long flags = spin_lock_irqsave(&log_lock);
	list_for_each_entry(con, &consoles, link)
		(con->write_raw ? con->write_raw : con->write)(con, s, len);
	spin_unlock_irqrestore(&log_lock, flags);
}
