/*
 * Initial user stack builder for exec (kernel/exec/stack.h). The layout is
 * computed top-down in user addresses first, checking every step against
 * the bottom of the buffer, then written in one pass.
 */
#include <kernel/exec/stack.h>
#include <kernel/errno.h>
#include <kernel/string.h>
#include <uapi/linux/elf.h>

#define MAX_AUXV 24

struct strvec {
	const char *const *v;
	size_t count;
	size_t bytes;   /* all strings with their NULs */
};

/* Count a NULL-terminated vector; every string and the total must fit. */
static int measure(const char *const *v, size_t room, struct strvec *sv)
{
	sv->v = v;
	sv->count = 0;
	sv->bytes = 0;
	for (; v && v[sv->count]; sv->count++) {
		size_t len = strnlen(v[sv->count], EXEC_MAX_ARG_STRLEN);

		if (len >= EXEC_MAX_ARG_STRLEN)
			return -E2BIG;
		sv->bytes += len + 1;
		if (sv->bytes > room || sv->count >= room / sizeof(uint64_t))
			return -E2BIG;
	}
	return 0;
}

/* Move *p down by n bytes, staying at or above bottom. */
static int take(uint64_t *p, uint64_t bottom, uint64_t n)
{
	if (*p - bottom < n)
		return -E2BIG;
	*p -= n;
	return 0;
}

static size_t fill_auxv(uint64_t *av, const struct exec_auxv *aux,
			const struct exec_stack_layout *l, uint64_t platform)
{
	size_t n = 0;

#define PUT(type, val) do { av[n++] = (type); av[n++] = (val); } while (0)
	if (aux->sysinfo_ehdr)
		PUT(AT_SYSINFO_EHDR, aux->sysinfo_ehdr);
	if (aux->minsigstksz)
		PUT(AT_MINSIGSTKSZ, aux->minsigstksz);
	PUT(AT_HWCAP, aux->hwcap);
	PUT(AT_PAGESZ, aux->pagesz);
	PUT(AT_CLKTCK, aux->clktck);
	PUT(AT_PHDR, aux->phdr);
	PUT(AT_PHENT, aux->phent);
	PUT(AT_PHNUM, aux->phnum);
	PUT(AT_BASE, aux->base);
	PUT(AT_FLAGS, aux->flags);
	PUT(AT_ENTRY, aux->entry);
	PUT(AT_UID, aux->uid);
	PUT(AT_EUID, aux->euid);
	PUT(AT_GID, aux->gid);
	PUT(AT_EGID, aux->egid);
	PUT(AT_SECURE, aux->secure);
	PUT(AT_RANDOM, l->random);
	if (aux->hwcap2)
		PUT(AT_HWCAP2, aux->hwcap2);
	if (aux->execfn)
		PUT(AT_EXECFN, l->execfn);
	if (aux->platform)
		PUT(AT_PLATFORM, platform);
	PUT(AT_NULL, 0);
#undef PUT
	return n / 2;
}

/* Copy the strings of sv upwards from user address at; return the end. */
static uint64_t put_strings(uint8_t *buf, uint64_t bottom, uint64_t at,
			    const struct strvec *sv)
{
	for (size_t i = 0; i < sv->count; i++) {
		size_t len = strlen(sv->v[i]) + 1;

		memcpy(buf + (at - bottom), sv->v[i], len);
		at += len;
	}
	return at;
}

static void put_words(uint8_t *buf, uint64_t bottom, uint64_t *at,
		      const uint64_t *w, size_t n)
{
	memcpy(buf + (*at - bottom), w, n * sizeof(uint64_t));
	*at += n * sizeof(uint64_t);
}

static void put_vector(uint8_t *buf, uint64_t bottom, uint64_t *table,
		       uint64_t strings, const struct strvec *sv)
{
	for (size_t i = 0; i < sv->count; i++) {
		uint64_t ptr = strings;

		put_words(buf, bottom, table, &ptr, 1);
		strings += strlen(sv->v[i]) + 1;
	}
	uint64_t null = 0;
	put_words(buf, bottom, table, &null, 1);
}

/* Everything the write pass needs, computed by plan(). */
struct plan {
	struct strvec args, envs;
	size_t execfn_len, platform_len;        /* with the NUL; 0 if absent */
	uint64_t platform;
	struct exec_stack_layout l;
};

/* Lay the stack out top-down; every step is checked against bottom. */
static int plan(struct plan *pl, uint64_t bottom, uint64_t top, size_t size,
		const char *const *argv, const char *const *envp,
		const struct exec_auxv *aux, uint64_t *av, size_t *nr_aux)
{
	uint64_t p = top;
	int err;

	if ((err = measure(argv, size, &pl->args)) || (err = measure(envp, size, &pl->envs)))
		return err;
	pl->execfn_len = aux->execfn ? strnlen(aux->execfn, EXEC_MAX_ARG_STRLEN) + 1 : 0;
	if (pl->execfn_len > EXEC_MAX_ARG_STRLEN)
		return -E2BIG;
	pl->platform_len = aux->platform ? strnlen(aux->platform, 64) + 1 : 0;

	if ((err = take(&p, bottom, 8)) || (err = take(&p, bottom, pl->execfn_len)))
		return err;
	pl->l.execfn = aux->execfn ? p : 0;
	if ((err = take(&p, bottom, pl->envs.bytes)))
		return err;
	pl->l.env_start = p;
	pl->l.env_end = p + pl->envs.bytes;
	if ((err = take(&p, bottom, pl->args.bytes)))
		return err;
	pl->l.arg_start = p;
	pl->l.arg_end = p + pl->args.bytes;
	if ((err = take(&p, bottom, pl->platform_len)))
		return err;
	pl->platform = aux->platform ? p : 0;
	if ((err = take(&p, bottom, sizeof(aux->random))))
		return err;
	pl->l.random = p;

	/* The tables: argc, argv + NULL, envp + NULL, auxv; rsp 16-aligned. */
	*nr_aux = fill_auxv(av, aux, &pl->l, pl->platform);
	p = ALIGN_DOWN(p, 16);
	if (p < bottom || (err = take(&p, bottom, 8 * (1 + (pl->args.count + 1) +
						     (pl->envs.count + 1) + 2 * *nr_aux))))
		return -E2BIG;
	p = ALIGN_DOWN(p, 16);
	if (p < bottom)
		return -E2BIG;
	pl->l.rsp = p;
	return 0;
}

int64_t exec_stack_build(void *buf, size_t size, uint64_t stack_top,
			 const char *const *argv, const char *const *envp,
			 const struct exec_auxv *aux, struct exec_stack_layout *layout)
{
	uint64_t bottom = stack_top - size, av[2 * MAX_AUXV];
	struct plan pl = { 0 };
	size_t nr_aux;
	uint8_t *b = buf;
	int err;

	if (!IS_ALIGNED(stack_top, 16) || size > stack_top)
		return -EINVAL;
	err = plan(&pl, bottom, stack_top, size, argv, envp, aux, av, &nr_aux);
	if (err)
		return err;

	/* Zero all we own (no stale kernel bytes reach user space), then
	 * write the tables bottom-up and the strings. */
	uint64_t at = pl.l.rsp, argc = pl.args.count;
	memset(b + (at - bottom), 0, stack_top - at);
	put_words(b, bottom, &at, &argc, 1);
	put_vector(b, bottom, &at, pl.l.arg_start, &pl.args);
	put_vector(b, bottom, &at, pl.l.env_start, &pl.envs);
	put_words(b, bottom, &at, av, 2 * nr_aux);

	memcpy(b + (pl.l.random - bottom), aux->random, sizeof(aux->random));
	if (aux->platform)
		memcpy(b + (pl.platform - bottom), aux->platform, pl.platform_len - 1);
	put_strings(b, bottom, put_strings(b, bottom, pl.l.arg_start, &pl.args), &pl.envs);
	if (aux->execfn)
		memcpy(b + (pl.l.execfn - bottom), aux->execfn, pl.execfn_len - 1);

	if (layout)
		*layout = pl.l;
	return (int64_t)pl.l.rsp;
}
