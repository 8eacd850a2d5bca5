/*
 * A stand-in /bin/sh for the test image until busybox arrives (the
 * terminal issue): enough for musl's system() and popen(), which run
 * "sh -c COMMAND". COMMAND is split on blanks and run with execvp;
 * "exit N" exits with N. No quoting, pipes or redirections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *words[64];
	int n = 0;

	if (argc < 3 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "sh: only 'sh -c COMMAND' is supported\n");
		return 2;
	}
	for (char *w = strtok(argv[2], " \t\n"); w && n < 63; w = strtok(NULL, " \t\n"))
		words[n++] = w;
	words[n] = NULL;
	if (n == 0)
		return 0;
	if (!strcmp(words[0], "exit"))
		return n > 1 ? atoi(words[1]) : 0;
	execvp(words[0], words);
	fprintf(stderr, "sh: %s: not found\n", words[0]);
	return 127;
}
