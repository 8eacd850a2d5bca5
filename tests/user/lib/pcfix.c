/* A shared library for the page-cache tests: ld-musl maps it from /lib
 * with mmap(fd) (text and data MAP_PRIVATE from the file, bss anonymous).
 * Its data and bss must come out as the file and the ELF rules say. */
int pcfix_data[4] = { 11, 22, 33, 44 };
int pcfix_bss[1024];

int pcfix_sum(void)
{
	int s = 0;

	for (int i = 0; i < 4; i++)
		s += pcfix_data[i];
	for (int i = 0; i < 1024; i++)
		s += pcfix_bss[i];
	pcfix_bss[0] = s;       /* bss is writable */
	return s;
}
