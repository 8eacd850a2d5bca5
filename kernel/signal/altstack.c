/*
 * Alternate signal stacks (sigaltstack(2)): the thread's setting, where a
 * handler's frame goes (for the arch frame code), and what uc_stack
 * records and rt_sigreturn puts back.
 */
#include <kernel/arch.h>
#include <kernel/errno.h>
#include <kernel/syscall.h>
#include <mm/uaccess.h>
#include "internal.h"

#define SS_FLAG_BITS SS_AUTODISARM

/* Is sp inside the alternate stack (which grows down from sp + size)? */
static bool in_altstack(const struct task *t, uint64_t sp)
{
	return sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
}

/* With SS_AUTODISARM a handler on the stack has disabled it, so a thread
 * counts as on it only without that flag (Linux's on_sig_stack). */
static bool on_altstack(const struct task *t, uint64_t sp)
{
	return !(t->altstack.flags & SS_AUTODISARM) && in_altstack(t, sp);
}

int signal_altstack_flags(const struct task *t, uint64_t sp)
{
	if (!t->altstack.size)
		return SS_DISABLE;
	return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

uint64_t signal_frame_stack(uint64_t user_sp, uint64_t redzone, const struct k_sigaction *ka,
			    bool *must_fit)
{
	struct task *t = current_task();
	uint64_t sp = user_sp - redzone;

	*must_fit = on_altstack(t, user_sp);
	if ((ka->flags & SA_ONSTACK) && signal_altstack_flags(t, sp) == 0) {
		sp = t->altstack.sp + t->altstack.size;
		*must_fit = true;
	}
	return sp;
}

bool signal_frame_fits(uint64_t frame_sp)
{
	return in_altstack(current_task(), frame_sp);
}

void signal_altstack_save(struct user_stack *uss)
{
	struct task *t = current_task();

	uss->ss_sp = t->altstack.sp;
	uss->ss_size = t->altstack.size;
	uss->ss_flags = (int32_t)t->altstack.flags;
	uss->_pad = 0;
	if (t->altstack.flags & SS_AUTODISARM)
		t->altstack = (struct sig_altstack){ .flags = SS_DISABLE };
}

/* Change the thread's alternate stack; sp is where its user stack is now. */
static int altstack_set(struct task *t, const struct user_stack *ss, uint64_t sp)
{
	uint32_t flags = (uint32_t)ss->ss_flags, mode = flags & ~SS_FLAG_BITS;
	uint64_t base = ss->ss_sp, size = ss->ss_size;

	if (on_altstack(t, sp))
		return -EPERM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (t->altstack.sp == base && t->altstack.size == size && t->altstack.flags == flags)
		return 0;
	if (mode == SS_DISABLE) {
		base = size = 0;
	} else if (size < MINSIGSTKSZ) {
		return -ENOMEM;
	}
	t->altstack = (struct sig_altstack){ .sp = base, .size = size, .flags = flags };
	return 0;
}

void signal_altstack_restore(const struct user_stack *uss, uint64_t user_sp)
{
	/* Errors are dropped, as Linux does: the handler may have moved it. */
	altstack_set(current_task(), uss, user_sp);
}

long sys_sigaltstack(const void *uss, void *uoss)
{
	struct task *t = current_task();
	uint64_t sp = arch_user_sp(t->arch.user_regs);
	struct user_stack ss, old = {
		.ss_sp = t->altstack.sp,
		.ss_size = t->altstack.size,
		.ss_flags = signal_altstack_flags(t, sp) | (int32_t)(t->altstack.flags & SS_FLAG_BITS),
	};

	if (uss) {
		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		int err = altstack_set(t, &ss, sp);
		if (err)
			return err;
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}
