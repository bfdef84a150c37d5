/* SPDX-License-Identifier: MIT */
/**
 * @file tasks.h
 * The tasks of a dump: the task list (init_task.tasks and each thread
 * group), plus the idle task of every CPU, with what crash's `ps` shows
 * and the timestamps the diagnosis needs. Walks are bounded and
 * cycle-checked: a corrupt list ends the walk with a warning.
 * Implementation: src/kernel/tasks.c.
 */
#ifndef CORONER_TASKS_H
#define CORONER_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "coroner/base.h"
#include "coroner/error.h"

struct cor_program;

/** One task (struct task_struct). */
struct cor_task {
	/** Address of the task_struct. */
	uint64_t addr;
	int32_t pid, tgid;
	/** real_parent's pid (0 for the idle tasks and init's parent). */
	int32_t ppid;
	char comm[17];
	/** __state (state before 5.14) and exit_state. */
	uint64_t state;
	uint32_t exit_state;
	/** crash's two-letter state: RU IN UN ST TR ZO DE ID PA WA NE. */
	char st[3];
	/** The CPU it last ran on (thread_info.cpu / cpu). */
	int32_t cpu;
	/** task->on_cpu. */
	bool on_cpu;
	/** The current task of its CPU (runqueues.curr): crash's '>'. */
	bool active;
	/** Base of its kernel stack (task->stack). */
	uint64_t stack;
	/** mm_struct, 0 for kernel threads. */
	uint64_t mm;
	/** Resident pages as crash counts them (file + anon; no shmem) and virtual size (total_vm).
	 */
	uint64_t rss_pages, vm_pages;
	/** This thread's RSS pages not yet folded into its mm (SPLIT_RSS_COUNTING). */
	int64_t rss_delta;
	/** sched_info.last_arrival (ns of rq clock), if present. */
	bool has_last_arrival;
	uint64_t last_arrival;
	/** thread.sp: the saved stack pointer of a task that is not running. */
	uint64_t thread_sp;
};

/** The result of a task walk. */
struct cor_task_list {
	/** struct cor_task, sorted by pid (idle tasks by CPU). */
	struct cor_vec tasks;
	/** Total RAM in pages (for %MEM), 0 if unknown. */
	uint64_t totalram_pages;
	/** Why the walk stopped early, or "" when every list ended normally. */
	char warning[192];
};

/**
 * Reads one task at @p addr. Errors: FAULT (unreadable), NOT_FOUND (a
 * member the kernel's types lack).
 */
struct cor_error *cor_program_task_read(struct cor_program *prog, uint64_t addr,
					struct cor_task *ret) COR_MUST_CHECK;
/**
 * Walks every task into @p ret (caller frees with cor_task_list_deinit()).
 * A corrupt list is not an error: the walk keeps what it found and says
 * why in ret->warning.
 */
struct cor_error *cor_program_tasks(struct cor_program *prog,
				    struct cor_task_list *ret) COR_MUST_CHECK;
/** Frees a task list. */
void cor_task_list_deinit(struct cor_task_list *list);
/**
 * Finds a task by pid (for pid 0: the idle task of CPU 0) or by task_struct
 * address in @p list; NULL if absent. Borrowed from @p list.
 */
const struct cor_task *cor_task_list_find(const struct cor_task_list *list, uint64_t pid_or_addr);
/** The number of tasks (crash's sys TASKS). */
struct cor_error *cor_program_num_tasks(struct cor_program *prog, uint64_t *ret) COR_MUST_CHECK;

#endif
