/*
 * Futex ABI: futex(2) operations and flags, the FUTEX_OP() encoding of
 * FUTEX_WAKE_OP, the lock-word bits robust futexes use, and the robust
 * list that set_robust_list(2) registers. Linux's x86-64 values; compiles
 * in the kernel and with musl-gcc (musl has no <linux/futex.h>).
 */
#pragma once

#include <stdint.h>

#define FUTEX_WAIT              0
#define FUTEX_WAKE              1
#define FUTEX_FD                2       /* removed in Linux 2.6.26: ENOSYS */
#define FUTEX_REQUEUE           3
#define FUTEX_CMP_REQUEUE       4
#define FUTEX_WAKE_OP           5
#define FUTEX_LOCK_PI           6
#define FUTEX_UNLOCK_PI         7
#define FUTEX_TRYLOCK_PI        8
#define FUTEX_WAIT_BITSET       9
#define FUTEX_WAKE_BITSET       10
#define FUTEX_WAIT_REQUEUE_PI   11
#define FUTEX_CMP_REQUEUE_PI    12
#define FUTEX_LOCK_PI2          13

#define FUTEX_PRIVATE_FLAG      128     /* only this process's address space */
#define FUTEX_CLOCK_REALTIME    256     /* WAIT_BITSET's deadline is CLOCK_REALTIME */
#define FUTEX_CMD_MASK          (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

#define FUTEX_WAIT_PRIVATE          (FUTEX_WAIT | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_PRIVATE          (FUTEX_WAKE | FUTEX_PRIVATE_FLAG)
#define FUTEX_REQUEUE_PRIVATE       (FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_CMP_REQUEUE_PRIVATE   (FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_OP_PRIVATE       (FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAIT_BITSET_PRIVATE   (FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG)
#define FUTEX_WAKE_BITSET_PRIVATE   (FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG)

#define FUTEX_BITSET_MATCH_ANY  0xffffffffu

/* FUTEX_WAKE_OP's val3: op (bits 28-31), cmp (24-27), oparg (12-23) and
 * cmparg (0-11), the two arguments signed 12-bit numbers. */
#define FUTEX_OP_SET            0       /* uaddr2 = oparg */
#define FUTEX_OP_ADD            1       /* uaddr2 += oparg */
#define FUTEX_OP_OR             2       /* uaddr2 |= oparg */
#define FUTEX_OP_ANDN           3       /* uaddr2 &= ~oparg */
#define FUTEX_OP_XOR            4       /* uaddr2 ^= oparg */
#define FUTEX_OP_OPARG_SHIFT    8       /* or'd into op: oparg = 1 << oparg */

#define FUTEX_OP_CMP_EQ         0       /* wake if old == cmparg */
#define FUTEX_OP_CMP_NE         1
#define FUTEX_OP_CMP_LT         2
#define FUTEX_OP_CMP_LE         3
#define FUTEX_OP_CMP_GT         4
#define FUTEX_OP_CMP_GE         5

#define FUTEX_OP(op, oparg, cmp, cmparg)                                   \
	((((op) & 0xfu) << 28) | (((cmp) & 0xfu) << 24) |                   \
	 (((oparg) & 0xfffu) << 12) | ((cmparg) & 0xfffu))

/* A robust lock word: the owner's tid, and two flag bits. */
#define FUTEX_WAITERS           0x80000000u
#define FUTEX_OWNER_DIED        0x40000000u
#define FUTEX_TID_MASK          0x3fffffffu

/* The most entries the kernel follows on a robust list (loops end there). */
#define ROBUST_LIST_LIMIT       2048

/* set_robust_list(2): a circular list of held locks through user memory.
 * Each entry's lock word is at entry + futex_offset; bit 0 of a pointer
 * marks a PI futex. list_op_pending names a lock being taken or released. */
struct robust_list {
	struct robust_list *next;
};

struct robust_list_head {
	struct robust_list list;
	long futex_offset;
	struct robust_list *list_op_pending;
};
