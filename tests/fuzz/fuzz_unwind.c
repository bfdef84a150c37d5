// SPDX-License-Identifier: MIT
// libFuzzer target: the unwinder over a synthetic memory image. The input is
// the memory of two stacks (task, then IRQ); its first 24 bytes are the
// starting RIP, RSP offset and RBP; ORC entries for any ip are decoded from
// the input itself, so every ORC register/type path meets garbage, cycles and
// out-of-range pointers. The walk must end (bounded) without crashing.
#include <stdint.h>
#include <string.h>

#include "coroner/stack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BASE	  0xffffc90000010000ull
#define TEXT	  0xffffffff81000000ull
#define TEXT_SIZE 0x10000ull

struct img {
	const uint8_t *data;
	size_t size;
};

static struct cor_error *img_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	struct img *m = arg;
	if (addr < BASE || !cor_range_ok(addr - BASE, len, m->size))
		return cor_error_fault(addr, "0x%llx is not mapped", (unsigned long long)addr);
	memcpy(buf, m->data + (addr - BASE), len);
	return NULL;
}

static bool img_find_orc(void *arg, uint64_t ip, struct cor_orc_entry *ret)
{
	struct img *m = arg;
	if (ip < TEXT || ip >= TEXT + TEXT_SIZE || m->size < 6)
		return false;
	uint64_t off = ((ip - TEXT) * 6) % (m->size - 5);
	cor_orc_decode(m->data + off, (ip & 1) ? COR_ORC_FMT_SIGNAL_BIT : COR_ORC_FMT_END_BIT, ret);
	return true;
}

static bool img_stack_of(void *arg, uint64_t sp, struct cor_stack_range *ret)
{
	struct img *m = arg;
	uint64_t half = m->size / 2;
	if (sp < BASE || sp - BASE >= m->size)
		return false;
	if (sp - BASE < half)
		*ret = (struct cor_stack_range){COR_STACK_TASK, BASE, BASE + half};
	else
		*ret = (struct cor_stack_range){COR_STACK_IRQ, BASE + half, BASE + m->size};
	return true;
}

static bool img_is_text(void *arg, uint64_t ip)
{
	(void)arg;
	return ip >= TEXT && ip < TEXT + TEXT_SIZE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 24)
		return 0;
	struct img m = {data, size};
	static const struct cor_unwind_ops ops = {img_read, img_find_orc, img_stack_of,
						  img_is_text};
	struct cor_ptregs_layout layout;
	cor_ptregs_layout_x86_64(&layout);
	struct cor_unwind_start s = {0};
	s.regs.r[COR_CPU_REG_IP] = TEXT + cor_le32(data) % TEXT_SIZE;
	s.regs.r[COR_CPU_REG_SP] = BASE + cor_le32(data + 8) % size;
	s.regs.r[COR_CPU_REG_BP] = cor_le64(data + 16);
	s.regs.valid = (1u << COR_CPU_REG_IP) | (1u << COR_CPU_REG_SP) | (1u << COR_CPU_REG_BP);
	if (data[4] & 1)
		s.slot = s.regs.r[COR_CPU_REG_SP];
	s.scan_on_failure = data[4] & 2;
	struct cor_backtrace bt;
	cor_backtrace_init(&bt);
	struct cor_error *err = cor_unwind(&ops, &m, &layout, &s, 64, &bt);
	cor_error_destroy(err);
	cor_backtrace_deinit(&bt);
	cor_backtrace_init(&bt);
	err = cor_stack_scan(&ops, &m, BASE, BASE + size, 64, &bt);
	cor_error_destroy(err);
	cor_backtrace_deinit(&bt);
	return 0;
}
