/* lwIP's <stdlib.h> in the kernel: netif_find() parses an interface number
 * with atoi. Only on the include path of the lwIP sources (net/lwip.mk). */
#pragma once

static inline int atoi(const char *s)
{
	int neg = *s == '-', v = 0;

	if (*s == '-' || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return neg ? -v : v;
}
