/* The one piece of state behind phys_to_virt() (see mm/phys.h). */
#include <mm/phys.h>

uintptr_t direct_map_base = KERNEL_VIRT_BASE;
