/* Kernel command-line lookups (pure; host-testable). */
#include <kernel/cmdline.h>
#include <kernel/string.h>

static char line_copy[512];

void cmdline_init(const char *line)
{
	size_t n = line ? strnlen(line, sizeof(line_copy) - 1) : 0;
	if (n)
		memcpy(line_copy, line, n);
	line_copy[n] = '\0';
}

const char *cmdline_raw(void)
{
	return line_copy;
}

/* Find word "key" or "key=..." and return a pointer past the key, or NULL. */
static const char *find_key(const char *key)
{
	size_t n = strlen(key);
	const char *p = line_copy;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *word = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - word) >= n && !strncmp(word, key, n) &&
		    (word[n] == ' ' || word[n] == '=' || word[n] == '\0'))
			return word + n;
	}
	return NULL;
}

bool cmdline_has(const char *key)
{
	return find_key(key) != NULL;
}

int cmdline_get(const char *key, char *buf, size_t len)
{
	const char *v = find_key(key);
	if (!v)
		return -1;
	size_t n = 0;
	if (*v == '=') {
		v++;
		while (v[n] && v[n] != ' ')
			n++;
	}
	if (len) {
		size_t c = n < len - 1 ? n : len - 1;
		memcpy(buf, v, c);
		buf[c] = '\0';
	}
	return (int)n;
}
