/*
 * The in-kernel test runner: walks the .ktest_suites section and prints
 * KTAP version 1 (the format KUnit prints), one subtest per suite.
 */
#include <kernel/ktest.h>
#include <kernel/printk.h>
#include <kernel/string.h>
#include <kernel/time.h>

extern const struct ktest_suite __ktest_suites_start[], __ktest_suites_end[];

void ktest_fail(struct ktest *t, const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printk("    # %s: %s:%d: %s\n", t->name, file, line, msg);
	t->failures++;
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skipped = true;
	t->skip_reason = reason;
}

static bool name_in_list(const char *name, const char *list)
{
	size_t n = strlen(name);
	if (!list || !*list)
		return true;
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncmp(p, name, n))
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

static size_t count_cases(const struct ktest_suite *s)
{
	size_t n = 0;
	while (s->cases[n].run)
		n++;
	return n;
}

/* Returns true if every case passed or was skipped. */
static bool run_suite(const struct ktest_suite *s, unsigned index)
{
	size_t n = count_cases(s);
	bool ok = true;

	printk("    KTAP version 1\n");
	printk("    # Subtest: %s\n", s->name);
	printk("    1..%zu\n", n);
	for (size_t i = 0; i < n; i++) {
		struct ktest t = { .name = s->cases[i].name };
		uint64_t start = time_ns();
		s->cases[i].run(&t);
		uint64_t us = (time_ns() - start) / 1000;
		if (t.skipped)
			printk("    ok %zu %s # SKIP %s\n", i + 1, t.name, t.skip_reason);
		else
			printk("    %s %zu %s # %llu us\n", t.failures ? "not ok" : "ok",
			       i + 1, t.name, (unsigned long long)us);
		ok &= t.failures == 0;
	}
	printk("%s %u %s\n", ok ? "ok" : "not ok", index, s->name);
	return ok;
}

void ktest_run(const char *filter)
{
	unsigned total = 0, failed = 0, index = 0;

	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		total += name_in_list(s->name, filter);

	printk("KTAP version 1\n");
	printk("1..%u\n", total);
	for (const struct ktest_suite *s = __ktest_suites_start; s < __ktest_suites_end; s++) {
		if (!name_in_list(s->name, filter))
			continue;
		failed += !run_suite(s, ++index);
	}
	printk("# ktest: %u suites, %u failed\n", total, failed);
}
