/* The vDSO shared object built from arch/x86_64/vdso/ (see the Makefile),
 * page aligned so arch/x86_64/vdso.c can copy it into frames. */
	.section .rodata, "a"
	.balign 4096
	.globl vdso_image_start, vdso_image_end
vdso_image_start:
	.incbin VDSO_SO
vdso_image_end:
	.section .note.GNU-stack, "", @progbits
