// SPDX-License-Identifier: MIT
// Output sinks of the dump writers: a regular file (pwrite at offsets) or
// makedumpfile's flattened stream (-F), and the rearrangement of a flattened
// stream into a file (-R). Flattened layout: makedumpfile.h 1.7
// (struct makedumpfile_header: signature[16] "makedumpfile", int64 type = 1
// (TYPE_FLAT_HEADER), int64 version = 1, padded to MAX_SIZE_MDF_HEADER 4096;
// struct makedumpfile_data_header: int64 offset, int64 buf_size, both
// big-endian; END_FLAG_FLAT_HEADER -1 ends the stream).
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coroner/dump_writer.h"

#define MDF_HEADER_SIZE	     4096
#define MDF_SIGNATURE	     "makedumpfile"
#define MDF_TYPE_FLAT	     1
#define MDF_VERSION_FLAT     1
#define MDF_DATA_HEADER_SIZE 16
/* Largest record we accept when rearranging (makedumpfile writes <= a few MiB). */
#define MDF_MAX_RECORD (1ull << 32)

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* write() all of @buf; returns bytes written, errno set when short. */
static size_t write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

static size_t pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ENOSPC;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

void cor_dump_sink_init_file(struct cor_dump_sink *sink, int fd)
{
	*sink = (struct cor_dump_sink){.fd = fd};
}

struct cor_error *cor_dump_sink_init_flat(struct cor_dump_sink *sink, int fd)
{
	*sink = (struct cor_dump_sink){.fd = fd, .flattened = true};
	uint8_t h[MDF_HEADER_SIZE] = {0};
	memcpy(h, MDF_SIGNATURE, strlen(MDF_SIGNATURE));
	put_be64(h + 16, MDF_TYPE_FLAT);
	put_be64(h + 24, MDF_VERSION_FLAT);
	if (write_all(fd, h, sizeof(h)) < sizeof(h)) {
		sink->write_errno = errno;
		return cor_error_os(errno, NULL, "writing the flattened header");
	}
	sink->bytes_out = sizeof(h);
	return NULL;
}

struct cor_error *cor_dump_sink_write(struct cor_dump_sink *sink, uint64_t off, const void *buf,
				      size_t len, size_t *done_ret)
{
	size_t done;
	if (done_ret)
		*done_ret = 0;
	if (sink->write_errno)
		return cor_error_os(sink->write_errno, NULL, "output already failed");
	if (len == 0)
		return NULL;
	if (sink->flattened) {
		uint8_t rh[MDF_DATA_HEADER_SIZE];
		put_be64(rh, off);
		put_be64(rh + 8, len);
		if (write_all(sink->fd, rh, sizeof(rh)) < sizeof(rh)) {
			sink->write_errno = errno;
			return cor_error_os(errno, NULL, "writing a flattened record");
		}
		sink->bytes_out += sizeof(rh);
		done = write_all(sink->fd, buf, len);
	} else {
		done = pwrite_all(sink->fd, buf, len, off);
		/* Start writing big blocks back now, so that the final fsync()
		 * has little left to wait for (errors surface there). */
		if (done == len && len >= (1u << 20))
			sync_file_range(sink->fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
	}
	sink->bytes_out += done;
	if (done_ret)
		*done_ret = done;
	if (done < len) {
		sink->write_errno = errno;
		return cor_error_os(errno, NULL, "writing %zu bytes at offset %llu", len,
				    (unsigned long long)off);
	}
	return NULL;
}

struct cor_error *cor_dump_sink_finish(struct cor_dump_sink *sink)
{
	if (!sink->flattened)
		return NULL;
	uint8_t rh[MDF_DATA_HEADER_SIZE];
	put_be64(rh, UINT64_MAX);
	put_be64(rh + 8, UINT64_MAX);
	if (write_all(sink->fd, rh, sizeof(rh)) < sizeof(rh)) {
		sink->write_errno = errno;
		return cor_error_os(errno, NULL, "writing the end of the flattened stream");
	}
	sink->bytes_out += sizeof(rh);
	return NULL;
}

/* Reads exactly @len bytes (a pipe may return less per read); returns bytes read. */
static size_t read_all(int fd, void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

static struct cor_error *copy_record(int in_fd, int out_fd, uint64_t off, uint64_t len,
				     uint8_t *buf, size_t bufsz)
{
	while (len) {
		size_t n = (size_t)COR_MIN(len, (uint64_t)bufsz);
		if (read_all(in_fd, buf, n) < n)
			return cor_error_create(COR_ERR_TRUNCATED,
						"the flattened stream ends inside a record");
		if (pwrite_all(out_fd, buf, n, off) < n)
			return cor_error_os(errno, NULL, "writing at offset %llu",
					    (unsigned long long)off);
		off += n;
		len -= n;
	}
	return NULL;
}

struct cor_error *cor_flat_rearrange(int in_fd, int out_fd)
{
	uint8_t h[MDF_HEADER_SIZE];
	if (read_all(in_fd, h, sizeof(h)) < sizeof(h))
		return cor_error_create(COR_ERR_TRUNCATED, "flattened header cut short");
	if (memcmp(h, MDF_SIGNATURE, strlen(MDF_SIGNATURE)) != 0 ||
	    get_be64(h + 16) != MDF_TYPE_FLAT)
		return cor_error_create(COR_ERR_CORRUPT,
					"not a flattened dump (no makedumpfile header)");
	size_t bufsz = 1u << 20;
	uint8_t *buf = malloc(bufsz);
	if (!buf)
		return &cor_enomem;
	struct cor_error *err = NULL;
	for (uint64_t nrec = 0;; nrec++) {
		uint8_t rh[MDF_DATA_HEADER_SIZE];
		if (read_all(in_fd, rh, sizeof(rh)) < sizeof(rh)) {
			err =
			    cor_error_create(COR_ERR_TRUNCATED,
					     "the flattened stream ends after %llu records without "
					     "its end record",
					     (unsigned long long)nrec);
			break;
		}
		uint64_t off = get_be64(rh), len = get_be64(rh + 8);
		if (off == UINT64_MAX && len == UINT64_MAX)
			break;
		if ((int64_t)off < 0 || len > MDF_MAX_RECORD) {
			err = cor_error_create(
			    COR_ERR_CORRUPT, "flattened record %llu: bad offset %lld or size %llu",
			    (unsigned long long)nrec, (long long)off, (unsigned long long)len);
			break;
		}
		if ((err = copy_record(in_fd, out_fd, off, len, buf, bufsz)))
			break;
	}
	free(buf);
	return err;
}
