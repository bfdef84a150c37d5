// SPDX-License-Identifier: MIT
// PCIe Advanced Error Reporting lines, as Linux 6.1 drivers/pci/pcie/aer.c
// prints them (aer_print_port_info, aer_print_error, __aer_print_error,
// __print_tlp_header, cper_print_aer), and the older 4.x forms
// ("error received: id=00e0", "type=Physical Layer, id=00e0(Receiver ID)").
// The status bits are named as in the PCI Express Base Specification r5.0,
// §7.8.4.2 (Uncorrectable Error Status) and §7.8.4.5 (Correctable Error
// Status); the short names are the kernel's aer_*_error_string[] tables.
#include <stdio.h>
#include <string.h>

#include "hwerr/hwerr_priv.h"

struct bit_desc {
	const char *name;
	const char *meaning;
};

/* Correctable Error Status register (PCIe r5.0 §7.8.4.5). */
static const struct bit_desc cor_bits[32] = {
    [0] = {"RxErr", "Receiver Error: the physical layer received a bad symbol or framing "
		    "(signal integrity of the link: slot, riser, cable, retimer)"},
    [6] = {"BadTLP", "Bad TLP: a TLP failed its LCRC or sequence check (data link layer; "
		     "usually a marginal link)"},
    [7] = {"BadDLLP", "Bad DLLP: a DLLP failed its CRC (data link layer; marginal link)"},
    [8] = {"Rollover", "REPLAY_NUM Rollover: a TLP was replayed 4 times without an "
		       "acknowledgement (persistent link errors)"},
    [12] = {"Timeout", "Replay Timer Timeout: no acknowledgement in time, the TLP was "
		       "replayed (link errors or a stalled partner)"},
    [13] = {"NonFatalErr", "Advisory Non-Fatal Error: an uncorrectable error that the "
			   "device handled as correctable (see the uncorrectable status)"},
    [14] = {"CorrIntErr", "Corrected Internal Error: the device corrected an internal "
			  "error (its own SRAM/logic)"},
    [15] = {"HeaderOF", "Header Log Overflow: more errors arrived than the header log "
			"could hold"},
};

/* Uncorrectable Error Status register (PCIe r5.0 §7.8.4.2; bits 27-31 from r6.0). */
static const struct bit_desc uncor_bits[32] = {
    [0] = {"Undefined", "Undefined (Training Error in PCIe 1.0a)"},
    [4] = {"DLP", "Data Link Protocol Error: the link partner violated the data link "
		  "protocol (link or device fault)"},
    [5] = {"SDES", "Surprise Down Error: the link went down unexpectedly (device lost, "
		   "power, hot-unplug, or link failure)"},
    [12] = {"TLP", "Poisoned TLP Received: the data was marked poisoned upstream (often an "
		   "uncorrected memory error on the other side)"},
    [13] = {"FCP", "Flow Control Protocol Error"},
    [14] = {"CmpltTO", "Completion Timeout: a request got no completion in time (device "
		       "hung, firmware stuck, or the link went down)"},
    [15] = {"CmpltAbrt", "Completer Abort: the completer could not complete the request"},
    [16] = {"UnxCmplt", "Unexpected Completion: a completion matched no outstanding request"},
    [17] = {"RxOF", "Receiver Overflow: the receiver's buffers overflowed (flow-control "
		    "bug)"},
    [18] = {"MalfTLP", "Malformed TLP: a TLP violated the TLP format rules"},
    [19] = {"ECRC", "ECRC Error: the end-to-end CRC failed (data corrupted inside a "
		    "switch or bridge)"},
    [20] = {"UnsupReq", "Unsupported Request: a request the device does not support "
			"(often a driver or IOMMU addressing error)"},
    [21] = {"ACSViol", "ACS Violation: a request violated the Access Control Services "
		       "policy"},
    [22] = {"UncorrIntErr", "Uncorrectable Internal Error: the device hit an internal "
			    "error it could not correct (device fault)"},
    [23] = {"BlockedTLP", "MC Blocked TLP (multicast)"},
    [24] = {"AtomicOpBlocked", "AtomicOp Egress Blocked"},
    [25] = {"TLPBlockedErr", "TLP Prefix Blocked Error"},
    [26] = {"PoisonTLPBlocked", "Poisoned TLP Egress Blocked"},
    [27] = {"DMWrReqBlocked", "DMWr Request Egress Blocked"},
    [28] = {"IDECheck", "IDE Check Failed (integrity and data encryption)"},
    [29] = {"MisIDETLP", "Misrouted IDE TLP"},
    [30] = {"PCRC_CHECK", "PCRC Check Failed"},
    [31] = {"TLPXlatBlocked", "TLP Translation Egress Blocked"},
};

size_t cor_hwerr_aer_decode(bool correctable, uint32_t status, uint32_t mask, bool have_severity,
			    uint32_t uncor_severity, int first_error,
			    struct cor_hwerr_aer_bit out[32])
{
	const struct bit_desc *tab = correctable ? cor_bits : uncor_bits;
	size_t n = 0;
	for (unsigned i = 0; i < 32; i++) {
		if (!(status & (1u << i)))
			continue;
		struct cor_hwerr_aer_bit *b = &out[n++];
		b->bit = (uint8_t)i;
		b->name = tab[i].name ? tab[i].name : "Unknown Error Bit";
		b->meaning = tab[i].meaning ? tab[i].meaning : "reserved bit";
		b->masked = (mask >> i) & 1;
		b->fatal = !correctable && have_severity && ((uncor_severity >> i) & 1);
		b->first = first_error == (int)i;
	}
	return n;
}

static const char *tlp_kind(unsigned fmt, unsigned type)
{
	bool data = fmt & 2;
	switch (type) {
	case 0x00:
		return data ? "Memory Write Request" : "Memory Read Request";
	case 0x01:
		return "Memory Read Request-Locked";
	case 0x02:
		return data ? "I/O Write Request" : "I/O Read Request";
	case 0x04:
		return data ? "Type 0 Configuration Write" : "Type 0 Configuration Read";
	case 0x05:
		return data ? "Type 1 Configuration Write" : "Type 1 Configuration Read";
	case 0x0a:
		return data ? "Completion with Data" : "Completion";
	case 0x0b:
		return data ? "Completion-Locked with Data" : "Completion-Locked";
	case 0x0c:
		return "FetchAdd AtomicOp Request";
	case 0x0d:
		return "Swap AtomicOp Request";
	case 0x0e:
		return "CAS AtomicOp Request";
	default:
		if ((type & 0x18) == 0x10)
			return data ? "Message with Data" : "Message";
		return "reserved TLP type";
	}
}

static void put_rid(char *out, size_t size, const char *label, uint32_t rid)
{
	size_t n = strlen(out);
	snprintf(out + n, size > n ? size - n : 0, ", %s %02x:%02x.%u", label, rid >> 8 & 0xff,
		 rid >> 3 & 0x1f, rid & 7);
}

/* TLP header layout: PCIe r5.0 §2.2.1 (Fmt[31:29], Type[28:24], TD bit 15,
 * EP bit 14, Length[9:0]), §2.2.7 (requests), §2.2.9 (completions). The AER
 * Header Log holds byte 0 of the header in bits 31:24 of its first dword. */
void cor_hwerr_tlp_explain(const uint32_t tlp[4], char *out, size_t size)
{
	if (size == 0)
		return;
	unsigned fmt = tlp[0] >> 29 & 7, type = tlp[0] >> 24 & 0x1f;
	unsigned len = tlp[0] & 0x3ff;
	if (fmt == 4) {
		snprintf(out, size, "TLP prefix 0x%08x (the header follows the prefix)", tlp[0]);
		return;
	}
	snprintf(out, size, "%s (%uDW header%s%s), length %u DW", tlp_kind(fmt, type),
		 (fmt & 1) ? 4 : 3, (tlp[0] >> 14 & 1) ? ", poisoned" : "",
		 (tlp[0] >> 15 & 1) ? ", ECRC" : "", len ? len : 1024);
	size_t n = strlen(out);
	if (type == 0x0a || type == 0x0b) {
		static const char *const st[8] = {"Successful Completion",
						  "Unsupported Request",
						  "Configuration Request Retry",
						  "reserved",
						  "Completer Abort",
						  "reserved",
						  "reserved",
						  "reserved"};
		put_rid(out, size, "completer", tlp[1] >> 16);
		n = strlen(out);
		snprintf(out + n, size - n, ", status %s, byte count %u", st[tlp[1] >> 13 & 7],
			 tlp[1] & 0xfff);
		put_rid(out, size, "requester", tlp[2] >> 16);
		n = strlen(out);
		snprintf(out + n, size - n, ", tag 0x%02x", tlp[2] >> 8 & 0xff);
		return;
	}
	put_rid(out, size, "requester", tlp[1] >> 16);
	n = strlen(out);
	if ((type & 0x18) == 0x10) {
		snprintf(out + n, size - n, ", message code 0x%02x", tlp[1] & 0xff);
		return;
	}
	snprintf(out + n, size - n, ", tag 0x%02x", tlp[1] >> 8 & 0xff);
	n = strlen(out);
	if (type == 0x04 || type == 0x05) {
		snprintf(out + n, size - n, ", target %02x:%02x.%u register 0x%03x", tlp[2] >> 24,
			 tlp[2] >> 19 & 0x1f, tlp[2] >> 16 & 7, tlp[2] & 0xffc);
	} else if (fmt & 1) {
		uint64_t a = (uint64_t)tlp[2] << 32 | (tlp[3] & ~3u);
		snprintf(out + n, size - n, ", address 0x%016llx", (unsigned long long)a);
	} else {
		snprintf(out + n, size - n, ", address 0x%08x", tlp[2] & ~3u);
	}
}

/* ---- line parsing ---- */

static enum cor_hwerr_class severity_class(const char *s, size_t len, bool *correctable)
{
	*correctable = false;
	if (hw_starts(s, len, "Corrected")) {
		*correctable = true;
		return COR_HWERR_CORRECTED;
	}
	if (hw_starts(s, len, "Uncorrected (Fatal)"))
		return COR_HWERR_FATAL;
	return COR_HWERR_RECOVERABLE;
}

/* The record still open for device @dev near line @l, or -1. */
static long open_for(struct hw_parser *p, const char *dev, const struct hw_line *l)
{
	if (p->aer_open < 0)
		return -1;
	struct cor_hwerr_record *r = hw_rec(p, p->aer_open);
	if (strcmp(r->device, dev) != 0 ||
	    l->lineno - r->line > (r->source == COR_HWERR_SRC_GHES ? 4 : 1) * HW_NEAR_LINES)
		return -1;
	return p->aer_open;
}

/* "[Multiple ]<severity> error message received from <bdf>" (6.1.y),
 * "<severity> error received: <bdf>" (4.19-6.1), "... error received: id=00e0" (older). */
static struct cor_error *received(struct hw_parser *p, const struct hw_line *l, const char *port,
				  const char *s, size_t len)
{
	const char *end = s + len;
	bool multiple = hw_starts(s, len, "Multiple ");
	if (multiple)
		s += 9;
	const char *m = hw_find(s, (size_t)(end - s), " error message received from ");
	size_t skip = 29;
	if (!m) {
		m = hw_find(s, (size_t)(end - s), " error received: ");
		skip = 17;
	}
	if (!m)
		return NULL;
	long idx;
	struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_AER, l, &idx);
	if (err)
		return err;
	struct cor_hwerr_record *r = hw_rec(p, idx);
	r->cls = severity_class(s, (size_t)(m - s), &r->aer_correctable);
	r->multiple = multiple;
	snprintf(r->reporter, sizeof(r->reporter), "%s", port);
	const char *q = m + skip;
	uint64_t id;
	if (hw_starts(q, (size_t)(end - q), "id=")) {
		q += 3;
		if (hw_hex(&q, end, 4, &id))
			snprintf(r->device, sizeof(r->device), "%.4s:%02x:%02x.%u", port,
				 (unsigned)(id >> 8), (unsigned)(id >> 3 & 0x1f),
				 (unsigned)(id & 7));
	} else if (!hw_bdf(&q, end, r->device)) {
		snprintf(r->device, sizeof(r->device), "%s", port);
	}
	p->aer_open = idx;
	return NULL;
}

/* "PCIe Bus Error: severity=%s, type=%s, (%s)" on device @dev. */
static struct cor_error *bus_error(struct hw_parser *p, const struct hw_line *l, const char *dev,
				   const char *s, size_t len)
{
	const char *end = s + len;
	const char *sev = hw_find(s, len, "severity=");
	if (!sev)
		return NULL;
	sev += 9;
	const char *comma = memchr(sev, ',', (size_t)(end - sev));
	size_t sevlen = comma ? (size_t)(comma - sev) : (size_t)(end - sev);
	long idx = open_for(p, dev, l);
	/* The open record takes this line unless it already has one (Multiple: next device). */
	if (idx >= 0 && hw_rec(p, idx)->layer[0])
		idx = -1;
	if (idx < 0) {
		char reporter[16] = "";
		if (p->aer_open >= 0 && l->lineno - hw_rec(p, p->aer_open)->line <= HW_NEAR_LINES)
			snprintf(reporter, sizeof(reporter), "%s",
				 hw_rec(p, p->aer_open)->reporter);
		struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_AER, l, &idx);
		if (err)
			return err;
		struct cor_hwerr_record *r = hw_rec(p, idx);
		snprintf(r->device, sizeof(r->device), "%s", dev);
		snprintf(r->reporter, sizeof(r->reporter), "%s", reporter);
		p->aer_open = idx;
	}
	struct cor_hwerr_record *r = hw_rec(p, idx);
	r->cls = severity_class(sev, sevlen, &r->aer_correctable);
	hw_touch(r, l);
	const char *t = hw_find(s, len, "type=");
	if (t) {
		t += 5;
		const char *tc = t;
		while (tc < end && *tc != ',' && *tc != '(')
			tc++;
		hw_copy(r->layer, sizeof(r->layer), t, (size_t)(tc - t));
	}
	const char *a = t ? memchr(t, '(', (size_t)(end - t)) : NULL;
	const char *ae = a ? memchr(a, ')', (size_t)(end - a)) : NULL;
	if (a && ae)
		hw_copy(r->agent, sizeof(r->agent), a + 1, (size_t)(ae - a - 1));
	return NULL;
}

static bool parse_hex_after(const char *s, size_t len, const char *key, uint32_t *ret)
{
	const char *k = hw_find(s, len, key);
	if (!k)
		return false;
	const char *q = k + strlen(key), *end = s + len;
	uint64_t v;
	if (!hw_hex(&q, end, 8, &v))
		return false;
	*ret = (uint32_t)v;
	return true;
}

static bool parse_tlp(const char *s, size_t len, uint32_t tlp[4])
{
	const char *k = hw_find(s, len, "TLP Header: ");
	if (!k)
		return false;
	const char *q = k + 12, *end = s + len;
	for (int i = 0; i < 4; i++) {
		uint64_t v;
		hw_skip_blanks(&q, end);
		if (!hw_hex(&q, end, 8, &v))
			return false;
		tlp[i] = (uint32_t)v;
	}
	return true;
}

/* ghes.c's PCIe section of the same device, not yet given its AER registers:
 * ghes_handle_aer() queues them for cper_print_aer(), which prints them a
 * little later through aer.c. One error, printed twice: merged. */
static long ghes_twin(struct hw_parser *p, const char *dev, const struct hw_line *l)
{
	size_t n = p->log->records.len;
	for (size_t k = 0; k < 8 && k < n; k++) {
		struct cor_hwerr_record *r = hw_rec(p, (long)(n - 1 - k));
		if (r->source != COR_HWERR_SRC_GHES || r->section != COR_HWERR_SEC_PCIE ||
		    r->has_status || strcmp(r->device, dev) != 0 ||
		    l->lineno - r->line > 4 * HW_NEAR_LINES)
			continue;
		r->aer_correctable = strcmp(r->cper_severity, "corrected") == 0;
		p->aer_open = (long)(n - 1 - k);
		return p->aer_open;
	}
	return -1;
}

/* Lines that complete the open record of device @dev. */
static struct cor_error *detail(struct hw_parser *p, const struct hw_line *l, const char *dev,
				const char *s, size_t len)
{
	long idx = open_for(p, dev, l);
	bool status_line = hw_find(s, len, "aer_status: ") != NULL;
	if (status_line && idx < 0)
		idx = ghes_twin(p, dev, l);
	if (status_line && (idx < 0 || hw_rec(p, idx)->has_status)) {
		/* cper_print_aer() (firmware-first): a record of its own. */
		struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_AER, l, &idx);
		if (err)
			return err;
		struct cor_hwerr_record *r = hw_rec(p, idx);
		snprintf(r->device, sizeof(r->device), "%s", dev);
		r->aer_correctable = true; /* until "aer_uncor_severity" says otherwise */
		r->cls = COR_HWERR_CORRECTED;
		p->aer_open = idx;
	}
	if (idx < 0)
		return NULL;
	struct cor_hwerr_record *r = hw_rec(p, idx);
	const char *end = s + len, *q;
	uint64_t v;
	if ((q = hw_find(s, len, "device [")) != NULL) {
		q += 8;
		uint64_t ven, did;
		if (hw_hex(&q, end, 4, &ven) && q < end && *q++ == ':' &&
		    hw_hex(&q, end, 4, &did)) {
			r->has_ids = true;
			r->vendor_id = (uint16_t)ven;
			r->device_id = (uint16_t)did;
		}
		const char *sl = hw_find(s, len, "status/mask=");
		uint64_t m;
		if (sl) {
			q = sl + 12;
			if (hw_hex(&q, end, 8, &v) && q < end && *q++ == '/' &&
			    hw_hex(&q, end, 8, &m)) {
				r->status = (uint32_t)v;
				r->mask = (uint32_t)m;
				r->has_status = true;
			}
		}
	} else if (status_line) {
		if (parse_hex_after(s, len, "aer_status: ", &r->status) &&
		    parse_hex_after(s, len, "aer_mask: ", &r->mask))
			r->has_status = true;
	} else if (parse_hex_after(s, len, "aer_uncor_severity: ", &r->uncor_severity)) {
		r->has_uncor_severity = true;
		if (r->aer_correctable) {
			r->aer_correctable = false;
			r->cls = COR_HWERR_RECOVERABLE;
		}
	} else if (hw_starts(s, len, "aer_layer=")) {
		const char *c = memchr(s, ',', len);
		hw_copy(r->layer, sizeof(r->layer), s + 10, c ? (size_t)(c - s - 10) : len - 10);
		const char *ag = hw_find(s, len, "aer_agent=");
		if (ag)
			hw_copy(r->agent, sizeof(r->agent), ag + 10, (size_t)(end - ag - 10));
	} else if (parse_tlp(s, len, r->tlp)) {
		r->has_tlp = true;
	} else {
		/* "   [%2d] %-22s%s": one status bit, "(First)" on the first error */
		q = s;
		hw_skip_blanks(&q, end);
		if (q < end && *q == '[') {
			q++;
			hw_skip_blanks(&q, end);
			if (hw_dec(&q, end, &v) && v < 32 && q < end && *q == ']') {
				if (hw_find(q, (size_t)(end - q), "(First)"))
					r->first_error = (int)v;
			} else {
				return NULL;
			}
		} else {
			return NULL;
		}
	}
	hw_touch(r, l);
	return NULL;
}

/* Downstream Port Containment, Linux 6.1 drivers/pci/pcie/dpc.c dpc_process_error():
 * "DPC: containment event, status:%#06x source:%#06x" then "DPC: <reason> detected".
 * DPC Status (PCIe r5.0 §7.9.15.5): trigger reason bits 2:1 (0 unmasked
 * uncorrectable error, 1 ERR_NONFATAL, 2 ERR_FATAL, 3 see extension bits 6:5). */
static struct cor_error *dpc_line(struct hw_parser *p, const struct hw_line *l, const char *port,
				  const char *s, size_t len)
{
	const char *end = s + len, *q;
	if (hw_starts(s, len, "containment event, status:")) {
		uint64_t status = 0, source = 0;
		q = s + 26;
		if (!hw_hex(&q, end, 4, &status))
			return NULL;
		const char *src = hw_find(q, (size_t)(end - q), "source:");
		if (src) {
			q = src + 7;
			hw_hex(&q, end, 4, &source);
		}
		long idx;
		struct cor_error *err = hw_new_record(p, COR_HWERR_SRC_AER, l, &idx);
		if (err)
			return err;
		struct cor_hwerr_record *r = hw_rec(p, idx);
		unsigned reason = (unsigned)(status >> 1) & 3;
		r->dpc = true;
		r->dpc_status = (uint16_t)status;
		r->cls = reason == 2 ? COR_HWERR_FATAL : COR_HWERR_RECOVERABLE;
		snprintf(r->reporter, sizeof(r->reporter), "%s", port);
		/* ERR_* messages carry the requester ID of the device that sent them. */
		if ((reason == 1 || reason == 2) && source)
			snprintf(r->device, sizeof(r->device), "%.4s:%02x:%02x.%u", port,
				 (unsigned)(source >> 8), (unsigned)(source >> 3 & 0x1f),
				 (unsigned)(source & 7));
		else
			snprintf(r->device, sizeof(r->device), "%s", port);
		p->aer_open = idx;
		return NULL;
	}
	q = hw_find(s, len, " detected");
	if (q && p->aer_open >= 0) {
		struct cor_hwerr_record *r = hw_rec(p, p->aer_open);
		if (r->dpc && !strcmp(r->reporter, port) && l->lineno - r->line <= HW_NEAR_LINES) {
			hw_copy(r->dpc_reason, sizeof(r->dpc_reason), s, (size_t)(q - s));
			hw_touch(r, l);
		}
	}
	return NULL;
}

struct cor_error *hw_aer_line(struct hw_parser *p, const struct hw_line *l)
{
	char dev[16];
	const char *s;
	size_t len;
	if (!hw_device_line(l, dev, &s, &len))
		return NULL;
	if (hw_starts(s, len, "DPC: "))
		return dpc_line(p, l, dev, s + 5, len - 5);
	if (hw_find(s, len, " error message received from ") ||
	    hw_find(s, len, " error received: "))
		return received(p, l, dev, s, len);
	if (hw_starts(s, len, "PCIe Bus Error: "))
		return bus_error(p, l, dev, s, len);
	return detail(p, l, dev, s, len);
}

void hw_aer_finish(struct cor_hwerr_record *r)
{
	char bits[120] = "";
	if (r->has_status) {
		struct cor_hwerr_aer_bit b[32];
		size_t n = cor_hwerr_aer_decode(r->aer_correctable, r->status, r->mask,
						r->has_uncor_severity, r->uncor_severity,
						r->first_error, b);
		const struct cor_hwerr_aer_bit *lead = NULL;
		for (size_t i = 0; i < n; i++) {
			if (b[i].masked)
				continue;
			size_t k = strlen(bits);
			snprintf(bits + k, sizeof(bits) - k, "%s%s", k ? " " : "", b[i].name);
			if (!lead || b[i].first)
				lead = &b[i];
		}
		if (lead)
			snprintf(r->advice, sizeof(r->advice), "%s.", lead->meaning);
	}
	snprintf(r->component, sizeof(r->component), "PCIe %s", r->device[0] ? r->device : "?");
	if (r->dpc) {
		snprintf(r->summary, sizeof(r->summary),
			 "PCIe downstream port containment at %s: %s (DPC status 0x%04x), link to "
			 "%s taken down",
			 r->reporter, r->dpc_reason[0] ? r->dpc_reason : "trigger not printed",
			 r->dpc_status, r->device);
		snprintf(
		    r->advice, sizeof(r->advice),
		    "The port disabled its link to stop an uncorrectable error from spreading; "
		    "the kernel resets the link and asks the drivers to recover. Devices below "
		    "%s were unreachable meanwhile: if it repeats, suspect %s or its slot.",
		    r->reporter, r->device);
		return;
	}
	snprintf(r->summary, sizeof(r->summary), "PCIe %s error on %s%s%s%s%s%s",
		 r->aer_correctable	     ? "corrected"
		 : r->cls == COR_HWERR_FATAL ? "uncorrected fatal"
					     : "uncorrected non-fatal",
		 r->device[0] ? r->device : "?", r->layer[0] ? ", " : "", r->layer,
		 r->agent[0] ? " (" : "", r->agent, r->agent[0] ? ")" : "");
	if (bits[0]) {
		size_t k = strlen(r->summary);
		snprintf(r->summary + k, sizeof(r->summary) - k, ": %s", bits);
	}
	if (!strcmp(r->layer, "Physical Layer") || !strcmp(r->layer, "Data Link Layer")) {
		size_t k = strlen(r->advice);
		snprintf(r->advice + k, sizeof(r->advice) - k,
			 "%sA %s error points at the link between %s and its upstream port: "
			 "compare `lspci -vv` LnkSta with LnkCap, reseat or replace the card, "
			 "riser or cable.",
			 k ? " " : "", r->layer, r->device[0] ? r->device : "the device");
	}
}
