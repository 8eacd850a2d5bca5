/*
 * x86-64 virtual memory layout (48-bit, 4-level paging):
 *
 *   0000000000000000 - 00007fffffffffff  user space (128 TiB)
 *   ffff888000000000 - ffffc87fffffffff  direct map of all physical memory (64 TiB)
 *   ffffc90000000000 - ffffe8ffffffffff  vmap area: kernel stacks with guard pages, ioremap
 *   ffffffff80000000 - ffffffffffffffff  kernel image (-mcmodel=kernel), phys + KERNEL_VIRT_BASE
 *
 * The boot code maps physical 0..1 GiB at KERNEL_VIRT_BASE, so before the
 * direct map exists phys_to_virt() works for low memory through that alias.
 */
#pragma once

#define KERNEL_VIRT_BASE   0xffffffff80000000
#define KERNEL_PHYS_LOAD   0x200000
#define DIRECT_MAP_BASE    0xffff888000000000
#define DIRECT_MAP_SIZE    (64ULL << 40)
#define VMAP_BASE          0xffffc90000000000
#define VMAP_END           0xffffe90000000000
#define USER_SPACE_END     0x0000800000000000
#define BOOT_MAP_LIMIT     0x40000000   /* what boot.S maps: phys 0..1 GiB */

#define KSTACK_SIZE        (16 * 1024)
