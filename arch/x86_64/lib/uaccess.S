/*
 * The only kernel code that touches user memory (mm/uaccess.h). Each
 * instruction that may fault has an exception-table entry: the #PF handler
 * first tries to fix the fault (demand paging, copy-on-write) and resumes
 * the instruction; if it cannot (or the entry is EX_UACCESS_NOFAULT: the
 * _nofault routines never page), it resumes at the fixup, which reports
 * what was left undone. With SMAP, user access is opened (stac) only
 * around the copy. System V ABI: rdi, rsi, rdx.
 */
#include <asm/extable.h>

.macro user_access_begin
	cmpb $0, x86_smap_on(%rip)
	je .Lno_stac\@
	stac
.Lno_stac\@:
.endm

.macro user_access_end
	cmpb $0, x86_smap_on(%rip)
	je .Lno_clac\@
	clac
.Lno_clac\@:
.endm

/* size_t name(void *dst, const void *src, size_t n): bytes not copied
 * (0 on success). Either side may be the user one. */
.macro copy_user name, extype
	.globl \name
	.type \name, @function
\name:
	movq %rdx, %rcx
	shrq $3, %rcx
	andl $7, %edx
	user_access_begin
1:	rep movsq                       /* eight bytes at a time (see memcpy.S) */
	movl %edx, %ecx
2:	rep movsb                       /* the tail */
3:	user_access_end
	movq %rcx, %rax
	ret
	/* A fault the handler could not fix in the quadword part: go on
	 * bytewise from there, so the copy stops exactly at the bad byte. */
4:	leaq (%rdx,%rcx,8), %rcx
	jmp 2b
	.size \name, . - \name
	_ASM_EXTABLE_TYPE(1b, 4b, \extype)
	_ASM_EXTABLE_TYPE(2b, 3b, \extype)
.endm

/* int name(uint32_t *uaddr, uint32_t *expected, uint32_t new): one locked
 * compare-and-exchange on a user word; *expected gets the value found
 * there (the exchange happened if it is unchanged). 0, or -EFAULT (-14). */
.macro cmpxchg_user name, extype
	.globl \name
	.type \name, @function
\name:
	movl (%rsi), %eax
	user_access_begin
1:	lock cmpxchgl %edx, (%rdi)
	user_access_end
	movl %eax, (%rsi)
	xorl %eax, %eax
	ret
2:	user_access_end
	movl $-14, %eax
	ret
	.size \name, . - \name
	_ASM_EXTABLE_TYPE(1b, 2b, \extype)
.endm

	.text
	copy_user arch_copy_user, EX_UACCESS
	copy_user arch_copy_user_nofault, EX_UACCESS_NOFAULT
	cmpxchg_user arch_cmpxchg_user_u32, EX_UACCESS
	cmpxchg_user arch_cmpxchg_user_u32_nofault, EX_UACCESS_NOFAULT

/* size_t arch_clear_user(void *dst, size_t n): bytes not cleared. */
	.globl arch_clear_user
	.type arch_clear_user, @function
arch_clear_user:
	movq %rsi, %rcx
	shrq $3, %rcx
	andl $7, %esi
	xorl %eax, %eax
	user_access_begin
1:	rep stosq
	movl %esi, %ecx
2:	rep stosb
3:	user_access_end
	movq %rcx, %rax
	ret
4:	leaq (%rsi,%rcx,8), %rcx        /* as in copy_user: finish bytewise */
	jmp 2b
	.size arch_clear_user, . - arch_clear_user
	_ASM_EXTABLE(1b, 4b)
	_ASM_EXTABLE(2b, 3b)

/* long arch_strncpy_user(char *dst, const char *src, long n), n > 0:
 * copies up to and including a NUL among the first n bytes; returns the
 * length without the NUL, n if there was none, -EFAULT (-14) on a fault. */
	.globl arch_strncpy_user
	.type arch_strncpy_user, @function
arch_strncpy_user:
	xorl %eax, %eax
	user_access_begin
.Lstr_loop:
	cmpq %rdx, %rax
	je .Lstr_done
1:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	je .Lstr_done
	incq %rax
	jmp .Lstr_loop
.Lstr_done:
	user_access_end
	ret
2:	user_access_end
	movq $-14, %rax
	ret
	.size arch_strncpy_user, . - arch_strncpy_user
	_ASM_EXTABLE(1b, 2b)
