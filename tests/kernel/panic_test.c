/*
 * Booting with "panic_test" makes the kernel take a real, uncaught page
 * fault; the harness (scripts/testrun.py, boot "expected-panic") checks the
 * panic report: decoded fault, symbolized RIP and backtrace, halted CPUs.
 */
#include <kernel/ktest.h>

/* Hide a constant address from the compiler (it rightly warns about
 * dereferencing small integers; here that is the point). */
#define OPAQUE_PTR(type, addr) ({ uintptr_t __a = (addr); __asm__("" : "+r"(__a)); (type *)__a; })

__attribute__((noinline)) void panic_test_bad_write(void);
__attribute__((noinline)) void panic_test_bad_write(void)
{
	*OPAQUE_PTR(volatile uint64_t, 0x20) = 0xdead;
}

void panic_test_run(void)
{
	panic_test_bad_write();
	__asm__ volatile("" ::: "memory");      /* keep this frame (no tail call) */
}
