/*
 * Permission checks on mode bits (path_resolution.7, access.2): the owner
 * class if the fs uid owns the file, else the group class if the fs gid or
 * a supplementary group matches, else others. Root (fsuid 0) may read and
 * write anything and search any directory, but execute a file only if
 * some x bit is set. Pure functions: tests/unit/test_perm.c runs them.
 */
#include <fs/perm.h>
#include <kernel/errno.h>

int vfs_permission_check(uint32_t fsuid, uint32_t fsgid, const uint32_t *groups,
			 unsigned ngroups, uint32_t mode, uint32_t uid, uint32_t gid, int mask)
{
	mask &= MAY_READ | MAY_WRITE | MAY_EXEC;
	if (fsuid == 0) {
		if (!(mask & MAY_EXEC) || S_ISDIR(mode) || (mode & 0111))
			return 0;
		return -EACCES;
	}
	unsigned bits;
	if (fsuid == uid) {
		bits = (mode >> 6) & 7;
	} else {
		bool member = fsgid == gid;
		for (unsigned i = 0; !member && i < ngroups; i++)
			member = groups[i] == gid;
		bits = member ? (mode >> 3) & 7 : mode & 7;
	}
	return ((unsigned)mask & ~bits) ? -EACCES : 0;
}
