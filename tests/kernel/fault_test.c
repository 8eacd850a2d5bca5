/*
 * The exception-reporting path: deliberate faults in kernel mode must be
 * reported precisely (vector, error code, CR2, RIP as symbol+offset and a
 * symbolized backtrace). The faults are caught so the boot goes on; the
 * report text is checked in the kernel log.
 */
#include <kernel/ktest.h>

/* Hide a constant address from the compiler (it rightly warns about
 * dereferencing small integers; here that is the point). */
#define OPAQUE_PTR(type, addr) ({ uintptr_t __a = (addr); __asm__("" : "+r"(__a)); (type *)__a; })
#include <kernel/arch.h>
#include <kernel/klog.h>
#include <kernel/kallsyms.h>
#include <kernel/string.h>

#define BAD_ADDR 0x28ul

__attribute__((noinline)) void fault_test_null_write(void);
__attribute__((noinline)) void fault_test_null_write(void)
{
	*OPAQUE_PTR(volatile uint64_t, BAD_ADDR) = 1;
}

__attribute__((noinline)) void fault_test_noncanonical(void);
__attribute__((noinline)) void fault_test_noncanonical(void)
{
	(void)*OPAQUE_PTR(volatile uint64_t, 0x8000000000000000ul);
}

__attribute__((noinline)) void fault_test_divide(void);
__attribute__((noinline)) void fault_test_divide(void)
{
	volatile unsigned zero = 0;
	volatile unsigned r = 10 / zero;
	(void)r;
}

__attribute__((noinline)) void fault_test_ud2(void);
__attribute__((noinline)) void fault_test_ud2(void)
{
	__builtin_trap();
}

__attribute__((noinline)) void fault_test_write_text(void);
__attribute__((noinline)) void fault_test_write_text(void)
{
	/* Kernel text is mapped read-only (W^X): writing it must fault. */
	*OPAQUE_PTR(volatile uint8_t, (uintptr_t)fault_test_ud2) = 0xc3;
}

static void test_page_fault_reported(struct ktest *t)
{
	struct fault_info fi;
	uint64_t since = klog_head();

	KT_EXPECT_EQ(t, arch_run_catching_faults(fault_test_null_write, &fi), 14);
	KT_EXPECT_EQ(t, fi.addr, BAD_ADDR);
	KT_EXPECT_EQ(t, fi.error_code & 0x7, 0x2);      /* not present, write, kernel */
	KT_EXPECT(t, klog_contains(since, "BUG: unable to handle page fault for address: 0000000000000028"));
	KT_EXPECT(t, klog_contains(since, "#PF: supervisor write access in kernel mode"));
	KT_EXPECT(t, klog_contains(since, "RIP: 0010:fault_test_null_write+0x"));
	KT_EXPECT(t, klog_contains(since, "Call Trace:"));
	/* The backtrace goes through the catcher into this very test. */
	KT_EXPECT(t, klog_contains(since, " test_page_fault_reported+0x"));
	uintptr_t f = kallsyms_address("fault_test_null_write");
	KT_EXPECT(t, fi.ip >= f && fi.ip < f + 64);
}

static void test_general_protection(struct ktest *t)
{
	struct fault_info fi;
	uint64_t since = klog_head();

	KT_EXPECT_EQ(t, arch_run_catching_faults(fault_test_noncanonical, &fi), 13);
	KT_EXPECT(t, klog_contains(since, "Oops: general protection fault: 0000 [#13]"));
	KT_EXPECT(t, klog_contains(since, "RIP: 0010:fault_test_noncanonical+0x"));
}

static void test_divide_error(struct ktest *t)
{
	struct fault_info fi;
	uint64_t since = klog_head();

	KT_EXPECT_EQ(t, arch_run_catching_faults(fault_test_divide, &fi), 0);
	KT_EXPECT(t, klog_contains(since, "Oops: divide error"));
	KT_EXPECT(t, klog_contains(since, "RIP: 0010:fault_test_divide+0x"));
}

static void test_invalid_opcode(struct ktest *t)
{
	struct fault_info fi;

	KT_EXPECT_EQ(t, arch_run_catching_faults(fault_test_ud2, &fi), 6);
	uintptr_t f = kallsyms_address("fault_test_ud2");
	KT_EXPECT(t, f != 0);
	KT_EXPECT(t, fi.ip >= f && fi.ip < f + 16);
}

static void test_text_is_read_only(struct ktest *t)
{
	struct fault_info fi;
	uint64_t since = klog_head();

	KT_EXPECT_EQ(t, arch_run_catching_faults(fault_test_write_text, &fi), 14);
	KT_EXPECT_EQ(t, fi.error_code & 0x3, 0x3);      /* present, write */
	KT_EXPECT(t, klog_contains(since, "permissions violation"));
}

static void no_fault(void) {}

static void test_no_fault_returns_minus_one(struct ktest *t)
{
	struct fault_info fi;
	KT_EXPECT_EQ(t, arch_run_catching_faults(no_fault, &fi), -1);
}

static const struct ktest_case fault_cases[] = {
	KTEST_CASE(test_page_fault_reported),
	KTEST_CASE(test_general_protection),
	KTEST_CASE(test_divide_error),
	KTEST_CASE(test_invalid_opcode),
	KTEST_CASE(test_text_is_read_only),
	KTEST_CASE(test_no_fault_returns_minus_one),
	{}
};
KTEST_SUITE(faults, fault_cases);
