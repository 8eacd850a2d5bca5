/*
 * procfs: the object space's ownership statistics (ipc/objspace.c),
 * /proc/objspace for the system and /proc/[pid]/objspace per process. The
 * chanctl tool reads them.
 */
#include <fs/proc/internal.h>
#include <ipc/objspace.h>
#include <kernel/errno.h>
#include <mm/slab.h>

#define MAX_PIDS_SHOWN 256

static void pb_pages(struct pbuf *b, const char *name, uint64_t n)
{
	pb_printf(b, "%-14s %8llu\n", name, (unsigned long long)n);
}

int proc_show_objspace_pid(struct pbuf *b, int pid, int tid)
{
	struct own_stats st;

	(void)tid;
	own_stats_get(pid, &st);
	pb_pages(b, "OwnedBytes:", st.owned_bytes);
	pb_pages(b, "OwnedObjects:", st.owned_objects);
	pb_pages(b, "OwnedPages:", st.owned_pages);
	pb_pages(b, "DirtyPages:", st.dirty_pages);
	pb_pages(b, "PendingPages:", st.pending_pages);
	pb_pages(b, "PendingBytes:", st.pending_bytes);
	return 0;
}

struct pid_list {
	int pid[MAX_PIDS_SHOWN];
	unsigned n;
};

static void collect(int pid, void *arg)
{
	struct pid_list *l = arg;

	if (l->n < MAX_PIDS_SHOWN)
		l->pid[l->n++] = pid;
}

int proc_show_objspace(struct pbuf *b, int pid, int tid)
{
	struct pid_list *l = kmalloc(sizeof(*l));
	struct own_stats st;

	(void)pid, (void)tid;
	if (!l)
		return -ENOMEM;
	l->n = 0;
	own_for_each_pid(collect, l);
	own_stats_get(0, &st);
	pb_printf(b, "space %#llx-%#llx pages %llu objects %llu inflight %llu\n",
		  (unsigned long long)st.space_base, (unsigned long long)st.space_end,
		  (unsigned long long)st.space_pages, (unsigned long long)st.space_objects,
		  (unsigned long long)st.space_inflight);
	pb_printf(b, "%8s %12s %8s %8s %8s %8s\n", "pid", "owned_bytes", "objects",
		  "owned", "dirty", "pending");
	for (unsigned i = 0; i < l->n; i++) {
		own_stats_get(l->pid[i], &st);
		pb_printf(b, "%8d %12llu %8llu %8llu %8llu %8llu\n", l->pid[i],
			  (unsigned long long)st.owned_bytes, (unsigned long long)st.owned_objects,
			  (unsigned long long)st.owned_pages, (unsigned long long)st.dirty_pages,
			  (unsigned long long)st.pending_pages);
	}
	kfree(l);
	return 0;
}
