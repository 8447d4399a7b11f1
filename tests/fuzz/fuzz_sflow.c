// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer over sflow_decode() and sflow_frame() (make fuzz-sflow,
 * clang only; optional: make test runs the seeded loop in
 * tests/unit/test_sflow.c instead). ASan catches reads past the input;
 * the checks below are the sums and bounds sflow.h promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include "sflow.h"

static struct xs_sflow_dgram d;

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
	enum xs_sflow_reason ret = sflow_decode(buf, len, &d);
	uint32_t i, sample_bad = 0, record_bad = 0, sum = 0;
	uint8_t frame[256];

	for (i = 0; i < XS_SFLOW_NREASONS; i++) {
		sum += d.bad[i];
		if (sflow_reason_level(i) == XS_SFLOW_DROP_SAMPLE)
			sample_bad += d.bad[i];
		if (sflow_reason_level(i) == XS_SFLOW_DROP_RECORD)
			record_bad += d.bad[i];
	}
	CHECK(sum == d.nbad);
	CHECK(ret == XS_SFLOW_OK || d.bad[ret] == 1);
	if (ret != XS_SFLOW_OK && sflow_reason_level(ret) == XS_SFLOW_DROP_DGRAM) {
		CHECK(d.nflows == 0 && d.nheaders == 0 && d.nifcounters == 0);
		return 0;
	}
	CHECK(d.nflows + d.counter_samples + d.samples_skipped + d.samples_bad + d.samples_lost ==
	      d.nsamples);
	CHECK(d.nheaders + d.nifcounters + d.records_skipped + d.records_bad == d.records);
	CHECK(sample_bad == d.samples_bad && record_bad == d.records_bad);
	for (i = 0; i < d.nheaders; i++) {
		const struct xs_sflow_header *h = &d.headers[i];
		uint32_t flen, wire;

		CHECK(h->bytes >= buf && h->len <= len && (size_t)(h->bytes - buf) <= len - h->len);
		CHECK(h->stripped <= h->frame_len && h->len <= h->frame_len - h->stripped);
		if (sflow_frame(h, frame, sizeof(frame), &flen, &wire) == XS_SFLOW_OK)
			CHECK(flen <= sizeof(frame));
	}
	return 0;
}
