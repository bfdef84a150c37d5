// SPDX-License-Identifier: MIT
// libFuzzer target: cor_flat_rearrange() (makedumpfile -R), which turns an
// untrusted flattened stream into a file: the input is an in-memory file
// (memfd), the output another one, so that records at any offset stay sparse
// in memory. Seeds: tests/fuzz/corpus/flat_rearrange/ (flattened streams).
#include <sys/mman.h>
#include <unistd.h>

#include "coroner/dump_writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int in = memfd_create("fuzz-flat-in", MFD_CLOEXEC);
	int out = memfd_create("fuzz-flat-out", MFD_CLOEXEC);
	if (in >= 0 && out >= 0 && write(in, data, size) == (ssize_t)size &&
	    lseek(in, 0, SEEK_SET) == 0)
		cor_error_destroy(cor_flat_rearrange(in, out));
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return 0;
}
