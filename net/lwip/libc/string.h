/* lwIP's <string.h> in the kernel: the kernel's own string functions. Only
 * on the include path of the third-party lwIP sources (net/lwip.mk). */
#pragma once
#include <kernel/string.h>
