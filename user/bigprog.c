/* A program over 4 MiB (exec maps it from the page cache instead of
 * reading it whole): 1100 pages of .data, page p filled with p & 0xff.
 * Exits 0 if every page reads back right and a store lands (copy on write
 * of a file page), else 1. Run by t_mmap_file. */
#include <stdint.h>

#define BIG_PAGES 1100

__asm__(".section .data\n"
	".balign 4096\n"
	".globl big_data\n"
	"big_data:\n"
	".set pg, 0\n"
	".rept 1100\n"
	".fill 4096, 1, (pg & 0xff)\n"
	".set pg, pg + 1\n"
	".endr\n"
	".previous\n");
extern volatile uint8_t big_data[];

int main(void)
{
	for (unsigned p = 0; p < BIG_PAGES; p++)
		if (big_data[p * 4096] != (p & 0xff) || big_data[p * 4096 + 4095] != (p & 0xff))
			return 1;
	big_data[5 * 4096] = 0xee;
	return big_data[5 * 4096] == 0xee && big_data[6 * 4096] == 6 ? 0 : 1;
}
