/*
 * The first user program: says which link mode it was built in, echoes its
 * arguments, and exits with the status given as argv[1] (0 without one), so
 * scripts/run-prog can check that exit statuses come through.
 */
#include <stdio.h>
#include <stdlib.h>

#ifndef LINK_MODE
#define LINK_MODE "unknown"
#endif

int main(int argc, char **argv)
{
	printf("hello from %s\n", LINK_MODE);
	printf("argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	return argc > 1 ? atoi(argv[1]) : 0;
}
