/* Needs libpcfix.so (DT_NEEDED): exits 0 if the library's code, data and
 * bss work and /proc/self/maps shows it mapped from its file, else 1.
 * Run by t_mmap_file. */
#include <stdio.h>
#include <string.h>

extern int pcfix_data[4];
int pcfix_sum(void);

static int mapped_from_file(const char *name)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, name) && strstr(line, "r-xp"))
			found = 1;
	fclose(f);
	return found;
}

int main(void)
{
	if (pcfix_sum() != 110 || pcfix_data[2] != 33) {
		printf("uselib: wrong library data\n");
		return 1;
	}
	if (!mapped_from_file("/lib/libpcfix.so")) {
		printf("uselib: /lib/libpcfix.so is not mapped from its file\n");
		return 1;
	}
	return 0;
}
