/*
 * Socket control messages (cmsg(3), unix(7)): SCM_RIGHTS carries open
 * files (references taken at send, descriptors made at receive) and
 * SCM_CREDENTIALS a checked (pid, uid, gid). Parsing and placing follow
 * Linux's __scm_send, put_cmsg and scm_detach_fds, truncation included.
 */
#include <kernel/errno.h>
#include <kernel/proc.h>
#include <kernel/string.h>
#include <mm/slab.h>
#include <mm/uaccess.h>
#include <net/socket.h>

#define HDR sizeof(struct linux_cmsghdr)

struct linux_ucred scm_current_creds(void)
{
	struct proc *p = current_proc();
	return (struct linux_ucred){ p->pid, p->cred.uid, p->cred.gid };
}

/* Only what the sender could claim: its own pid and any of its ids (root
 * anything), as Linux's scm_check_creds. */
static int check_creds(const struct linux_ucred *c)
{
	struct proc *p = current_proc();
	const struct cred *cr = &p->cred;
	bool root = cr->euid == 0;
	bool pid_ok = c->pid == p->pid || root;
	bool uid_ok = c->uid == cr->uid || c->uid == cr->euid || c->uid == cr->suid || root;
	bool gid_ok = c->gid == cr->gid || c->gid == cr->egid || c->gid == cr->sgid || root;
	return pid_ok && uid_ok && gid_ok ? 0 : -EPERM;
}

static int add_rights(struct scm *scm, const int *fds, long n)
{
	if (n <= 0)
		return 0;
	if (n > LINUX_SCM_MAX_FD || scm->nfiles + n > LINUX_SCM_MAX_FD)
		return -EINVAL;
	struct fd_table *t = current_proc()->files;
	for (long i = 0; i < n; i++) {
		struct file *f = fd_get(t, fds[i]);
		if (!f)
			return -EBADF;
		scm->files[scm->nfiles++] = f;
	}
	return 0;
}

static int parse_one(struct scm *scm, const struct linux_cmsghdr *h, const uint8_t *data)
{
	size_t dlen = h->cmsg_len - HDR;
	if (h->cmsg_level != LINUX_SOL_SOCKET)
		return 0;               /* other levels are not for AF_UNIX: ignored */
	switch (h->cmsg_type) {
	case LINUX_SCM_RIGHTS: {
		int fds[LINUX_SCM_MAX_FD];
		long n = (long)(dlen / sizeof(int));
		if (n > LINUX_SCM_MAX_FD)
			return -EINVAL;
		memcpy(fds, data, (size_t)(n > 0 ? n : 0) * sizeof(int));
		return add_rights(scm, fds, n);
	}
	case LINUX_SCM_CREDENTIALS:
		if (h->cmsg_len != LINUX_CMSG_LEN(sizeof(struct linux_ucred)))
			return -EINVAL;
		memcpy(&scm->creds, data, sizeof(scm->creds));
		scm->has_creds = true;
		return check_creds(&scm->creds);
	}
	return -EINVAL;
}

int scm_parse(const void *ctl, size_t len, struct scm **out)
{
	const uint8_t *p = ctl;
	*out = NULL;
	if (len < HDR)
		return 0;
	struct scm *scm = kzalloc(sizeof(*scm));
	if (!scm)
		return -ENOMEM;
	int err = 0;
	for (size_t off = 0; off + HDR <= len && !err;) {
		struct linux_cmsghdr h;
		memcpy(&h, p + off, HDR);
		if (h.cmsg_len < HDR || h.cmsg_len > len - off)
			err = -EINVAL;
		else
			err = parse_one(scm, &h, p + off + HDR);
		off += LINUX_CMSG_ALIGN(h.cmsg_len);
	}
	if (err || (!scm->nfiles && !scm->has_creds)) {
		scm_free(scm);
		return err;
	}
	*out = scm;
	return 0;
}

void scm_free(struct scm *scm)
{
	if (!scm)
		return;
	for (int i = 0; i < scm->nfiles; i++)
		file_put(scm->files[i]);
	kfree(scm);
}

/* One cmsg at uctl + *used: as much as fits (put_cmsg). */
static int put_cmsg(void *uctl, size_t len, size_t *used, int type, const void *data,
		    size_t dlen, int *flags)
{
	size_t room = len - *used;
	if (room < HDR) {
		*flags |= LINUX_MSG_CTRUNC;
		return 0;
	}
	size_t cmlen = LINUX_CMSG_LEN(dlen);
	if (room < cmlen) {
		*flags |= LINUX_MSG_CTRUNC;
		cmlen = room;
	}
	struct linux_cmsghdr h = { cmlen, LINUX_SOL_SOCKET, type };
	uint8_t *dst = (uint8_t *)uctl + *used;
	if (copy_to_user(dst, &h, HDR) || copy_to_user(dst + HDR, data, cmlen - HDR))
		return -EFAULT;
	size_t space = LINUX_CMSG_SPACE(dlen);
	*used += space < room ? space : room;
	return 0;
}

/* Make descriptors for as many files as fit (scm_detach_fds); the rest are
 * dropped with MSG_CTRUNC. */
static int put_rights(struct scm *scm, void *uctl, size_t len, size_t *used, int *flags,
		      bool cloexec)
{
	struct proc *proc = current_proc();
	size_t room = len - *used;
	int max = room > HDR ? (int)((room - HDR) / sizeof(int)) : 0;
	int fds[LINUX_SCM_MAX_FD], n = 0;

	for (; n < scm->nfiles && n < max; n++) {
		int fd = fd_install(proc->files, scm->files[n], 0, cloexec, proc_fd_limit(proc));
		if (fd < 0)
			break;
		fds[n] = fd;
	}
	int err = 0;
	if (n > 0)
		err = put_cmsg(uctl, len, used, LINUX_SCM_RIGHTS, fds, (size_t)n * sizeof(int), flags);
	if (n < scm->nfiles)
		*flags |= LINUX_MSG_CTRUNC;
	return err;
}

long scm_put(struct scm *scm, const struct linux_ucred *creds, void *uctl, size_t len,
	     int *flags, bool cloexec)
{
	size_t used = 0;
	int err = 0;

	if (creds)
		err = put_cmsg(uctl, len, &used, LINUX_SCM_CREDENTIALS, creds, sizeof(*creds), flags);
	if (!err && scm && scm->nfiles)
		err = put_rights(scm, uctl, len, &used, flags, cloexec);
	scm_free(scm);
	return err ? err : (long)used;
}
