/* The one limit on CPUs that every per-CPU array is sized by. Affinity
 * masks are 64-bit, so it can't grow without changing them too. */
#pragma once

#define NR_CPUS 64
