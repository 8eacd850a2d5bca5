/*
 * User and group ids (credentials.7): real, effective, saved and
 * file-system ids, with Linux's rules for who may set what. Root
 * (euid 0) may set anything; others may only move between their
 * real, effective and saved ids.
 */
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/syscall.h>
#include <kernel/spinlock.h>
#include <mm/slab.h>
#include <mm/uaccess.h>

#define NO_CHANGE 0xffffffffu   /* (uid_t)-1: leave this id as it is */

static struct cred *my_cred(void)
{
	return &current_proc()->cred;
}

long sys_getuid(void) { return my_cred()->uid; }
long sys_geteuid(void) { return my_cred()->euid; }
long sys_getgid(void) { return my_cred()->gid; }
long sys_getegid(void) { return my_cred()->egid; }

static bool is_one_of(uint32_t id, uint32_t a, uint32_t b, uint32_t c)
{
	return id == a || id == b || id == c;
}

/* setresuid/setresgid: each of r, e, s may be NO_CHANGE. */
static long set_res(uint32_t *real, uint32_t *eff, uint32_t *saved, uint32_t *fs,
		    uint32_t r, uint32_t e, uint32_t s, bool privileged)
{
	if (!privileged) {
		if ((r != NO_CHANGE && !is_one_of(r, *real, *eff, *saved)) ||
		    (e != NO_CHANGE && !is_one_of(e, *real, *eff, *saved)) ||
		    (s != NO_CHANGE && !is_one_of(s, *real, *eff, *saved)))
			return -EPERM;
	}
	if (r != NO_CHANGE)
		*real = r;
	if (e != NO_CHANGE)
		*eff = e;
	if (s != NO_CHANGE)
		*saved = s;
	*fs = *eff;
	return 0;
}

long sys_setresuid(uint32_t r, uint32_t e, uint32_t s)
{
	struct cred *c = my_cred();
	return set_res(&c->uid, &c->euid, &c->suid, &c->fsuid, r, e, s, c->euid == 0);
}

long sys_setresgid(uint32_t r, uint32_t e, uint32_t s)
{
	struct cred *c = my_cred();
	return set_res(&c->gid, &c->egid, &c->sgid, &c->fsgid, r, e, s, c->euid == 0);
}

long sys_getresuid(uint32_t *r, uint32_t *e, uint32_t *s)
{
	struct cred *c = my_cred();
	if (put_user_u32(c->uid, r) || put_user_u32(c->euid, e) || put_user_u32(c->suid, s))
		return -EFAULT;
	return 0;
}

long sys_getresgid(uint32_t *r, uint32_t *e, uint32_t *s)
{
	struct cred *c = my_cred();
	if (put_user_u32(c->gid, r) || put_user_u32(c->egid, e) || put_user_u32(c->sgid, s))
		return -EFAULT;
	return 0;
}

/* setuid: root sets all three; others only the effective id, to real or saved. */
long sys_setuid(uint32_t uid)
{
	struct cred *c = my_cred();
	if (uid == NO_CHANGE)
		return -EINVAL;
	if (c->euid == 0) {
		c->uid = c->euid = c->suid = c->fsuid = uid;
		return 0;
	}
	if (uid != c->uid && uid != c->suid)
		return -EPERM;
	c->euid = c->fsuid = uid;
	return 0;
}

long sys_setgid(uint32_t gid)
{
	struct cred *c = my_cred();
	if (gid == NO_CHANGE)
		return -EINVAL;
	if (c->euid == 0) {
		c->gid = c->egid = c->sgid = c->fsgid = gid;
		return 0;
	}
	if (gid != c->gid && gid != c->sgid)
		return -EPERM;
	c->egid = c->fsgid = gid;
	return 0;
}

/* setreuid: the saved id follows the effective one when the real id is
 * set or the effective id moves away from the real one. */
long sys_setreuid(uint32_t r, uint32_t e)
{
	struct cred *c = my_cred();
	uint32_t old_real = c->uid;

	if (c->euid != 0) {
		if (r != NO_CHANGE && r != c->uid && r != c->euid)
			return -EPERM;
		if (e != NO_CHANGE && !is_one_of(e, c->uid, c->euid, c->suid))
			return -EPERM;
	}
	if (r != NO_CHANGE)
		c->uid = r;
	if (e != NO_CHANGE)
		c->euid = e;
	if (r != NO_CHANGE || (e != NO_CHANGE && e != old_real))
		c->suid = c->euid;
	c->fsuid = c->euid;
	return 0;
}

long sys_setregid(uint32_t r, uint32_t e)
{
	struct cred *c = my_cred();
	uint32_t old_real = c->gid;

	if (c->euid != 0) {
		if (r != NO_CHANGE && r != c->gid && r != c->egid)
			return -EPERM;
		if (e != NO_CHANGE && !is_one_of(e, c->gid, c->egid, c->sgid))
			return -EPERM;
	}
	if (r != NO_CHANGE)
		c->gid = r;
	if (e != NO_CHANGE)
		c->egid = e;
	if (r != NO_CHANGE || (e != NO_CHANGE && e != old_real))
		c->sgid = c->egid;
	c->fsgid = c->egid;
	return 0;
}

/* ---- supplementary groups ---- */

static struct spinlock groups_lock = SPINLOCK_INIT("groups");

struct group_info *cred_groups_get(const struct cred *c)
{
	if (!READ_ONCE(c->groups))
		return NULL;
	spin_lock(&groups_lock);
	struct group_info *g = c->groups;
	if (g)
		__atomic_fetch_add(&g->refcount, 1, __ATOMIC_RELAXED);
	spin_unlock(&groups_lock);
	return g;
}

void groups_put(struct group_info *g)
{
	if (g && __atomic_sub_fetch(&g->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(g);
}

bool groups_search(const struct group_info *g, uint32_t gid)
{
	if (!g)
		return false;
	unsigned lo = 0, hi = g->ngroups;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		if (g->gid[mid] == gid)
			return true;
		if (g->gid[mid] < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Shell sort: no recursion, fine for up to NGROUPS_MAX entries. */
static void sort_gids(uint32_t *v, unsigned n)
{
	for (unsigned gap = n / 2; gap > 0; gap /= 2)
		for (unsigned i = gap; i < n; i++) {
			uint32_t x = v[i];
			unsigned j = i;
			for (; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
}

/* getgroups: size 0 asks how many; a smaller list than that is EINVAL. */
long sys_getgroups(int size, uint32_t *list)
{
	if (size < 0)
		return -EINVAL;
	struct group_info *g = cred_groups_get(my_cred());
	long n = g ? (long)g->ngroups : 0;
	if (size && n > size)
		n = -EINVAL;
	else if (size && n && copy_to_user(list, g->gid, (size_t)n * sizeof(uint32_t)))
		n = -EFAULT;
	groups_put(g);
	return n;
}

/* setgroups: root only (CAP_SETGID, checked first as Linux); at most
 * NGROUPS_MAX. */
long sys_setgroups(int size, const uint32_t *list)
{
	if (my_cred()->euid != 0)
		return -EPERM;
	if ((unsigned)size > NGROUPS_MAX)
		return -EINVAL;
	struct group_info *g = NULL;
	if (size) {
		g = kmalloc(sizeof(*g) + (size_t)size * sizeof(uint32_t));
		if (!g)
			return -ENOMEM;
		g->refcount = 1;
		g->ngroups = (unsigned)size;
		if (copy_from_user(g->gid, list, (size_t)size * sizeof(uint32_t))) {
			kfree(g);
			return -EFAULT;
		}
		sort_gids(g->gid, g->ngroups);
	}
	struct cred *c = my_cred();
	spin_lock(&groups_lock);
	struct group_info *old = c->groups;
	c->groups = g;
	spin_unlock(&groups_lock);
	groups_put(old);
	return 0;
}
