// SPDX-License-Identifier: MIT
// What a blocked task waits on, and who holds it. A task sleeping in a mutex or
// rw-semaphore has a waiter on its own stack (kernel/locking/mutex.c struct
// mutex_waiter, rwsem.c struct rwsem_waiter: {struct list_head list; struct
// task_struct *task; ...}, 6.1) linked into the lock's wait_list. Scanning the
// task's stack for its own task pointer finds the waiter; walking the list to the
// node that is on no task's stack finds the lock's wait_list, hence the lock and
// its owner (mutex.owner / rw_semaphore.owner, low bits are flags). Following
// owners that are themselves blocked gives the wait-for chain, and a cycle in it is
// a deadlock. Layouts from the types (BTF); every step bounded.
#include <stdlib.h>
#include <string.h>

#include "coroner/program.h"
#include "coroner/tasks.h"
#include "coroner/types.h"
#include "diag/internal.h"

#define MAX_LIST    64
#define MAX_CHAIN   16
#define OWNER_FLAGS 0x7ull /* MUTEX_FLAGS (mutex.c), RWSEM_OWNER_FLAGS_MASK (rwsem.c) */

uint64_t diag_thread_size(struct diag_ctx *ctx)
{
	uint64_t off, size;
	/* struct irq_stack { char stack[IRQ_STACK_SIZE]; }, IRQ_STACK_SIZE == THREAD_SIZE
	 * on x86-64 (arch/x86/include/asm/page_64_types.h); 16 KiB without KASAN. */
	struct cor_error *err =
	    cor_program_member_info(ctx->prog, "struct irq_stack", "stack", &off, &size);
	cor_error_destroy(err);
	return !err && size >= 4096 && size <= (1u << 20) ? size : 16384;
}

static bool on_a_stack(const struct cor_task_list *list, uint64_t addr, uint64_t tsize)
{
	for (size_t i = 0; i < list->tasks.len; i++) {
		const struct cor_task *t = cor_vec_at(&list->tasks, i);
		if (t->stack && addr >= t->stack && addr < t->stack + tsize)
			return true;
	}
	return false;
}

/* True if following next pointers from @p head reaches @p node (bounded). */
static bool list_reaches(struct diag_ctx *ctx, uint64_t head, uint64_t node)
{
	uint64_t p = head;
	for (int i = 0; i < MAX_LIST; i++) {
		struct cor_error *err = cor_program_read_u64(ctx->prog, p, &p);
		if (err) {
			cor_error_destroy(err);
			return false;
		}
		if (p == node)
			return true;
		if (p == head)
			return false;
	}
	return false;
}

struct lock_kind {
	const char *name, *waiter, *lock;
};

static const struct lock_kind kinds[] = {
    {"mutex", "struct mutex_waiter", "struct mutex"},
    {"rw-semaphore", "struct rwsem_waiter", "struct rw_semaphore"},
};

/* From a waiter at @p w, the lock whose wait_list holds it, if it has a plausible owner. */
static bool lock_of_waiter(struct diag_ctx *ctx, const struct cor_task_list *list, uint64_t w,
			   uint64_t tsize, const struct lock_kind *k, struct diag_wait *ret)
{
	uint64_t off_list, off_wait, off_owner, node = w;
	if (cor_program_member_offset(ctx->prog, k->waiter, "list", &off_list) ||
	    cor_program_member_offset(ctx->prog, k->lock, "wait_list", &off_wait) ||
	    cor_program_member_offset(ctx->prog, k->lock, "owner", &off_owner))
		return false; /* layouts unknown: NOT_FOUND sentinels, nothing to free */
	node = w + off_list;
	for (int i = 0; i < MAX_LIST; i++) {
		uint64_t next;
		struct cor_error *err = cor_program_read_u64(ctx->prog, node, &next);
		if (err) {
			cor_error_destroy(err);
			return false;
		}
		if (next == w + off_list)
			return false; /* back to the waiter: no head found */
		if (!on_a_stack(list, next, tsize)) {
			uint64_t lock = next - off_wait, owner;
			if ((err = cor_program_read_u64(ctx->prog, lock + off_owner, &owner))) {
				cor_error_destroy(err);
				return false;
			}
			owner &= ~OWNER_FLAGS;
			/* a lock with waiters has an owner; and the list must come back round */
			if (!owner || !cor_task_list_find(list, owner) ||
			    !list_reaches(ctx, next, w + off_list))
				return false;
			ret->lock = lock;
			ret->owner = owner;
			ret->kind = k->name;
			diag_name_addr(ctx, lock, ret->lock_name, sizeof(ret->lock_name));
			return true;
		}
		node = next;
	}
	return false;
}

bool diag_find_wait(struct diag_ctx *ctx, const struct cor_task_list *list,
		    const struct cor_task *t, struct diag_wait *ret)
{
	uint64_t tsize = diag_thread_size(ctx), off_task;
	if (!t->stack ||
	    cor_program_member_offset(ctx->prog, "struct mutex_waiter", "task", &off_task))
		return false;
	uint64_t *words = malloc(tsize);
	if (!words)
		return false;
	struct cor_error *err = cor_program_read(ctx->prog, t->stack, words, tsize);
	bool found = false;
	for (size_t i = 0; !err && i < tsize / 8 && !found; i++) {
		if (words[i] != t->addr || i * 8 < off_task)
			continue;
		uint64_t w = t->stack + i * 8 - off_task;
		for (size_t k = 0; k < COR_ARRAY_SIZE(kinds) && !found; k++)
			found = lock_of_waiter(ctx, list, w, tsize, &kinds[k], ret);
	}
	cor_error_destroy(err);
	free(words);
	if (found)
		ret->task = t->addr;
	return found;
}

void diag_wait_chain(struct diag_ctx *ctx, const struct cor_task_list *list,
		     const struct cor_task *start, struct cor_finding *f)
{
	uint64_t seen[MAX_CHAIN];
	int n = 0;
	const struct cor_task *t = start;
	while (t && n < MAX_CHAIN) {
		for (int i = 0; i < n; i++)
			if (seen[i] == t->addr) {
				diag_evidence(ctx, f,
					      "deadlock: the chain returns to %s (pid %d): a cycle "
					      "of %d task(s) each waiting for a lock another holds",
					      t->comm, t->pid, n - i);
				diag_fact(ctx, f, "deadlock", "cycle of %d tasks", n - i);
				diag_verdict(ctx, COR_VERDICT_SOFTWARE, 90);
				return;
			}
		seen[n++] = t->addr;
		struct diag_wait w;
		if (!diag_find_wait(ctx, list, t, &w))
			return;
		const struct cor_task *o = cor_task_list_find(list, w.owner);
		diag_evidence(ctx, f, "%s (pid %d) waits for %s %s (0x%llx), owned by %s", t->comm,
			      t->pid, w.kind, w.lock_name, (unsigned long long)w.lock,
			      o		? o->comm
			      : w.owner ? "an unknown task"
					: "nobody");
		if (n == 1) {
			diag_fact(ctx, f, "waits_on", "%s %s", w.kind, w.lock_name);
			diag_fact(ctx, f, "lock_owner", "%s", o ? o->comm : "none");
		}
		if (o)
			diag_evidence(ctx, f, "  owner %s (pid %d) is %s on CPU %d", o->comm,
				      o->pid, o->st, o->cpu);
		t = o;
	}
}
