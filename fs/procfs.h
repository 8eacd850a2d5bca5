/* procfs (fs/proc/): the "proc" file system type, registered at boot. */
#pragma once

#include <fs/vfs.h>

extern struct fs_type proc_fs_type;
