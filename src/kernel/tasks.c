// SPDX-License-Identifier: MIT
// Tasks: the task list and the idle tasks. See include/coroner/tasks.h.
// Every offset comes from the kernel's types (BTF); the state bits are the
// #defines of include/linux/sched.h (6.1), which BTF does not carry.
#include <stdlib.h>
#include <string.h>

#include "coroner/cpus.h"
#include "coroner/program.h"
#include "coroner/symbols.h"
#include "coroner/tasks.h"
#include "coroner/types.h"

#define MAX_TASKS     (1u << 20)
#define TASK_COMM_LEN 16 /* include/linux/sched.h */

/* include/linux/sched.h (6.1). */
#define TASK_INTERRUPTIBLE   0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_STOPPED	     0x0004
#define TASK_TRACED	     0x0008
#define EXIT_DEAD	     0x0010
#define EXIT_ZOMBIE	     0x0020
#define TASK_PARKED	     0x0040
#define TASK_DEAD	     0x0080
#define TASK_WAKING	     0x0200
#define TASK_NOLOAD	     0x0400
#define TASK_NEW	     0x0800

static void state_letters(uint64_t state, uint32_t exit_state, char st[3])
{
	const char *s = "??";
	if (exit_state & EXIT_ZOMBIE)
		s = "ZO";
	else if (exit_state & EXIT_DEAD)
		s = "DE";
	else if (state == 0)
		s = "RU";
	else if ((state & (TASK_UNINTERRUPTIBLE | TASK_NOLOAD)) ==
		 (TASK_UNINTERRUPTIBLE | TASK_NOLOAD))
		s = "ID";
	else if (state & TASK_INTERRUPTIBLE)
		s = "IN";
	else if (state & TASK_UNINTERRUPTIBLE)
		s = "UN";
	else if (state & TASK_STOPPED)
		s = "ST";
	else if (state & TASK_TRACED)
		s = "TR";
	else if (state & TASK_PARKED)
		s = "PA";
	else if (state & TASK_DEAD)
		s = "DE";
	else if (state & TASK_WAKING)
		s = "WA";
	else if (state & TASK_NEW)
		s = "NE";
	memcpy(st, s, 3);
}

static struct cor_error *member(struct cor_program *prog, const char *type, const char *m,
				uint64_t *off)
{
	return cor_program_member_offset(prog, type, m, off);
}

/* Reads an integer member of @size bytes (1..8) at addr + offset of @m. */
static struct cor_error *read_member(struct cor_program *prog, uint64_t addr, const char *type,
				     const char *m, uint64_t *val)
{
	uint64_t off, size;
	struct cor_error *err = cor_program_member_info(prog, type, m, &off, &size);
	if (err)
		return err;
	uint8_t b[8] = {0};
	if (size > 8)
		size = 8;
	if ((err = cor_program_read(prog, addr + off, b, size)))
		return err;
	*val = cor_le64(b);
	return NULL;
}

/* read_member() for optional facts: false (error dropped) when unreadable. */
static bool try_member(struct cor_program *prog, uint64_t addr, const char *type, const char *m,
		       uint64_t *val)
{
	struct cor_error *err = read_member(prog, addr, type, m, val);
	cor_error_destroy(err);
	return !err;
}

static bool try_read(struct cor_program *prog, uint64_t addr, void *buf, size_t len)
{
	struct cor_error *err = cor_program_read(prog, addr, buf, len);
	cor_error_destroy(err);
	return !err;
}

static void read_mm(struct cor_program *prog, struct cor_task *t)
{
	uint64_t v, off;
	if (!t->mm)
		return;
	if (try_member(prog, t->mm, "struct mm_struct", "total_vm", &v))
		t->vm_pages = v;
	/* 6.1: mm->rss_stat.count[NR_MM_COUNTERS] of atomic_long_t
	 * (include/linux/mm_types_task.h); 6.2+ percpu counters are not read. */
	struct cor_error *err = member(prog, "struct mm_struct", "rss_stat.count", &off);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	/* RSS as crash's ps counts it (memory.c get_task_mem_usage()): file +
	 * anon pages; /proc's VmRSS also adds MM_SHMEMPAGES. */
	static const char *const counters[] = {"MM_FILEPAGES", "MM_ANONPAGES"};
	for (size_t i = 0; i < COR_ARRAY_SIZE(counters); i++) {
		int64_t idx;
		if ((err = cor_program_enum_value(prog, counters[i], &idx))) {
			cor_error_destroy(err);
			continue;
		}
		if (idx < 0 || idx > 16)
			continue;
		uint8_t b[8];
		if (try_read(prog, t->mm + off + 8 * (uint64_t)idx, b, 8) &&
		    (int64_t)cor_le64(b) > 0)
			t->rss_pages += cor_le64(b);
		/* SPLIT_RSS_COUNTING (6.1 include/linux/mm_types_task.h): each
		 * thread's not yet folded-in deltas, task->rss_stat.count[] (int). */
		uint64_t toff;
		struct cor_error *e2 = member(prog, "struct task_struct", "rss_stat.count", &toff);
		if (!e2 && try_read(prog, t->addr + toff + 4 * (uint64_t)idx, b, 4))
			t->rss_delta += (int32_t)cor_le32(b);
		cor_error_destroy(e2);
	}
}

/* Adds the threads' RSS deltas to every task of their mm (crash's ps does). */
static void fold_rss_deltas(struct cor_task_list *list)
{
	for (size_t i = 0; i < list->tasks.len; i++) {
		struct cor_task *t = cor_vec_at(&list->tasks, i);
		if (!t->mm)
			continue;
		int64_t sum = 0;
		for (size_t j = 0; j < list->tasks.len; j++) {
			const struct cor_task *u = cor_vec_at(&list->tasks, j);
			if (u->mm == t->mm)
				sum += u->rss_delta;
		}
		if (sum < 0 && (uint64_t)-sum > t->rss_pages)
			t->rss_pages = 0;
		else
			t->rss_pages = (uint64_t)((int64_t)t->rss_pages + sum);
	}
}

static void read_optional(struct cor_program *prog, struct cor_task *t)
{
	uint64_t v;
	struct cor_error *err;
	if (!(err = read_member(prog, t->addr, "struct task_struct", "sched_info.last_arrival",
				&v))) {
		t->has_last_arrival = true;
		t->last_arrival = v;
	}
	cor_error_destroy(err);
	if (!(err = read_member(prog, t->addr, "struct task_struct", "thread.sp", &v)))
		t->thread_sp = v;
	cor_error_destroy(err);
	if (!(err = read_member(prog, t->addr, "struct task_struct", "on_cpu", &v)))
		t->on_cpu = (v & 0xffffffff) != 0;
	cor_error_destroy(err);
	if (!(err = read_member(prog, t->addr, "struct task_struct", "exit_state", &v)))
		t->exit_state = (uint32_t)v;
	cor_error_destroy(err);
	uint64_t parent;
	if (!(err = read_member(prog, t->addr, "struct task_struct", "real_parent", &parent)) &&
	    !(err = read_member(prog, parent, "struct task_struct", "pid", &v)))
		t->ppid = (int32_t)v;
	cor_error_destroy(err);
	if (!(err = read_member(prog, t->addr, "struct task_struct", "mm", &v)))
		t->mm = v;
	cor_error_destroy(err);
	read_mm(prog, t);
}

struct cor_error *cor_program_task_read(struct cor_program *prog, uint64_t addr,
					struct cor_task *ret)
{
	struct cor_task t = {.addr = addr, .cpu = -1};
	uint64_t v, off;
	struct cor_error *err;
	if ((err = read_member(prog, addr, "struct task_struct", "pid", &v)))
		return cor_error_wrap(err, "task %llx", (unsigned long long)addr);
	t.pid = (int32_t)v;
	if ((err = read_member(prog, addr, "struct task_struct", "tgid", &v)))
		return cor_error_wrap(err, "task %llx", (unsigned long long)addr);
	t.tgid = (int32_t)v;
	if ((err = member(prog, "struct task_struct", "comm", &off)) ||
	    (err = cor_program_read(prog, addr + off, t.comm, TASK_COMM_LEN)))
		return cor_error_wrap(err, "task %llx", (unsigned long long)addr);
	t.comm[TASK_COMM_LEN] = 0;
	/* __state since 5.14, state before. */
	err = read_member(prog, addr, "struct task_struct", "__state", &v);
	if (cor_error_is(err, COR_ERR_NOT_FOUND)) {
		cor_error_destroy(err);
		err = read_member(prog, addr, "struct task_struct", "state", &v);
	}
	if (err)
		return cor_error_wrap(err, "task %llx", (unsigned long long)addr);
	t.state = v & 0xffffffff;
	/* thread_info.cpu (5.16+ with THREAD_INFO_IN_TASK), else task->cpu. */
	err = read_member(prog, addr, "struct task_struct", "thread_info.cpu", &v);
	if (err) {
		cor_error_destroy(err);
		err = read_member(prog, addr, "struct task_struct", "cpu", &v);
	}
	if (!err)
		t.cpu = (int32_t)v;
	cor_error_destroy(err);
	if (!(err = read_member(prog, addr, "struct task_struct", "stack", &v)))
		t.stack = v;
	cor_error_destroy(err);
	read_optional(prog, &t);
	state_letters(t.state, t.exit_state, t.st);
	*ret = t;
	return NULL;
}

struct walk {
	struct cor_program *prog;
	struct cor_task_list *list;
	struct cor_hmap seen;
};

static void warn(struct walk *w, const char *msg, uint64_t addr)
{
	if (!w->list->warning[0])
		snprintf(w->list->warning, sizeof(w->list->warning), "%s at %llx", msg,
			 (unsigned long long)addr);
}

/* Adds the task at @addr unless seen; returns an error only for ENOMEM. */
static struct cor_error *add(struct walk *w, uint64_t addr)
{
	uint64_t dummy;
	if (cor_hmap_get_u64(&w->seen, addr, &dummy))
		return NULL;
	if (w->list->tasks.len >= MAX_TASKS) {
		warn(w, "more than 2^20 tasks: stopped", addr);
		return NULL;
	}
	struct cor_task t;
	struct cor_error *err = cor_program_task_read(w->prog, addr, &t);
	if (err) {
		warn(w, "unreadable task", addr);
		cor_error_destroy(err);
		return NULL;
	}
	if ((err = cor_hmap_set_u64(&w->seen, addr, 1)))
		return err;
	return cor_vec_push(&w->list->tasks, &t);
}

/*
 * Walks the list_head at @head (a member at @off of each element) calling
 * add() on each element; bounded and cycle-checked.
 */
static struct cor_error *walk_list(struct walk *w, uint64_t head, uint64_t off, bool add_tasks,
				   struct cor_vec *out)
{
	uint64_t pos, prev = head;
	struct cor_hmap nodes = {0};
	struct cor_error *err = NULL;
	if ((err = cor_program_read_u64(w->prog, head, &pos))) {
		cor_error_destroy(err);
		warn(w, "unreadable list head", head);
		return NULL;
	}
	for (unsigned n = 0; pos != head; n++) {
		uint64_t dummy, next;
		if (n >= MAX_TASKS || cor_hmap_get_u64(&nodes, pos, &dummy)) {
			warn(w, "task list loops", pos);
			break;
		}
		if ((err = cor_hmap_set_u64(&nodes, pos, 1)))
			break;
		struct cor_error *e = cor_program_read_u64(w->prog, pos, &next);
		if (e) {
			cor_error_destroy(e);
			warn(w, "task list broken after the node", prev);
			break;
		}
		uint64_t elem = pos - off;
		if (add_tasks && (err = add(w, elem)))
			break;
		if (out && (err = cor_vec_push(out, &elem)))
			break;
		prev = pos;
		pos = next;
	}
	cor_hmap_deinit(&nodes);
	return err;
}

static struct cor_error *add_threads(struct walk *w, uint64_t leader)
{
	uint64_t sig, off_sig, off_head, off_node;
	struct cor_error *err;
	if ((err = member(w->prog, "struct task_struct", "signal", &off_sig)) ||
	    (err = member(w->prog, "struct signal_struct", "thread_head", &off_head)) ||
	    (err = member(w->prog, "struct task_struct", "thread_node", &off_node))) {
		cor_error_destroy(err); /* older kernels: thread_group only; leaders suffice */
		return NULL;
	}
	if ((err = cor_program_read_u64(w->prog, leader + off_sig, &sig))) {
		cor_error_destroy(err);
		return NULL;
	}
	if (!sig)
		return NULL;
	return walk_list(w, sig + off_head, off_node, true, NULL);
}

static int cmp_task(const void *a, const void *b)
{
	const struct cor_task *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void mark_active(struct cor_program *prog, struct walk *w)
{
	unsigned n;
	struct cor_error *err = cor_program_num_cpus(prog, &n);
	if (err) {
		cor_error_destroy(err);
		return;
	}
	for (unsigned cpu = 0; cpu < n; cpu++) {
		struct cor_cpu_state st;
		if ((err = cor_program_cpu_state(prog, cpu, &st))) {
			cor_error_destroy(err);
			continue;
		}
		if (st.idle_task && (err = add(w, st.idle_task)))
			cor_error_destroy(err);
		for (size_t i = 0; i < w->list->tasks.len; i++) {
			struct cor_task *t = cor_vec_at(&w->list->tasks, i);
			if (t->addr == st.task)
				t->active = true;
		}
	}
}

struct cor_error *cor_program_tasks(struct cor_program *prog, struct cor_task_list *ret)
{
	struct cor_symbol init;
	uint64_t off_tasks;
	struct cor_error *err = cor_program_symbol_by_name(prog, "init_task", &init);
	if (err)
		return cor_error_wrap(err, "walking tasks");
	if ((err = member(prog, "struct task_struct", "tasks", &off_tasks)))
		return cor_error_wrap(err, "walking tasks");
	memset(ret, 0, sizeof(*ret));
	cor_vec_init(&ret->tasks, sizeof(struct cor_task));
	struct walk w = {.prog = prog, .list = ret};
	struct cor_vec leaders;
	cor_vec_init(&leaders, sizeof(uint64_t));
	if (!(err = add(&w, init.addr)))
		err = walk_list(&w, init.addr + off_tasks, off_tasks, true, &leaders);
	for (size_t i = 0; !err && i < leaders.len; i++)
		err = add_threads(&w, *(uint64_t *)cor_vec_at(&leaders, i));
	cor_vec_deinit(&leaders);
	if (!err)
		mark_active(prog, &w);
	cor_hmap_deinit(&w.seen);
	if (err) {
		cor_task_list_deinit(ret);
		return err;
	}
	struct cor_symbol tr;
	uint64_t v;
	struct cor_error *e = cor_program_symbol_by_name(prog, "_totalram_pages", &tr);
	if (!e && !(e = cor_program_read_u64(prog, tr.addr, &v)))
		ret->totalram_pages = v;
	cor_error_destroy(e);
	fold_rss_deltas(ret);
	if (ret->tasks.len)
		qsort(ret->tasks.data, ret->tasks.len, sizeof(struct cor_task), cmp_task);
	return NULL;
}

void cor_task_list_deinit(struct cor_task_list *list)
{
	cor_vec_deinit(&list->tasks);
}

const struct cor_task *cor_task_list_find(const struct cor_task_list *list, uint64_t pid_or_addr)
{
	for (size_t i = 0; i < list->tasks.len; i++) {
		const struct cor_task *t = cor_vec_at(&list->tasks, i);
		if (t->addr == pid_or_addr || (uint64_t)(int64_t)t->pid == pid_or_addr)
			return t;
	}
	return NULL;
}

struct cor_error *cor_program_num_tasks(struct cor_program *prog, uint64_t *ret)
{
	struct cor_task_list list;
	struct cor_error *err = cor_program_tasks(prog, &list);
	if (err)
		return err;
	*ret = list.tasks.len;
	cor_task_list_deinit(&list);
	return NULL;
}
