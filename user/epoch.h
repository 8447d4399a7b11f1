/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sketch maps' two epochs, seen from userspace: the program writes
 * the one xs_epoch (.bss) names; epoch_flip() ends it (and, with sync,
 * waits until no program still writes it: an update of an array of maps
 * returns after synchronize_rcu()) and reads every CPU's stage and flow
 * cache of it (a flow's counts become staged counts of its dimensions);
 * epoch_clear() makes it ready for its next turn. The loader opens it
 * once the object is loaded.
 */
#ifndef XS_EPOCH_H
#define XS_EPOCH_H

#include <stddef.h>
#include <stdint.h>
#include "skread.h"
#include "xdpscope.h"

struct xdpscope_bpf;
struct xdpscope_bpf__bss;

struct xs_epochs {
	struct xdpscope_bpf *skel;
	struct xs_sk_layout sk;
	int ncpus;
	struct xs_sk_epoch sk_epoch[2];	/* mmap'd sketch maps, by epoch */
	void *sk_maps[5];		/* the mappings, for munmap */
	size_t sk_lens[5];
	struct xs_stage_chunk *stage_vals; /* per-CPU values of one epoch's stage */
	struct xs_top_stage *stage;	/* the staged entries collected from them */
	struct xs_top_stage *stage_tmp;	/* as large: for sorting them */
	uint32_t *stage_keys;
	struct xs_sk_cpu *cpu_vals;	/* one epoch of sk_cpu, every CPU */
	struct xs_flow_chunk *flow_vals; /* per-CPU values of one epoch's flow cache */
	uint32_t *flow_keys;
	void *zeros;			/* what epoch_clear() writes */
	long ndirty;			/* stage chunks read_stage() read, -1: all */
	struct xdpscope_bpf__bss *bss;	/* mmap'd .bss: xs_epoch */
	struct xs_sk_epoch peek;	/* epoch_peek()'s */
	struct xs_top_stage *peek_buf;	/* its first read */
	int sync_fd;			/* array of maps: an update waits a grace period */
	int sync_inner_fd;
};

/* Nothing open (fds -1). */
void epoch_init(struct xs_epochs *x);
/* Map the sketch maps of a loaded object with this layout. 0 or -errno
 * with err. */
int epoch_open(struct xs_epochs *x, struct xdpscope_bpf *skel, const struct xs_sk_layout *layout,
	       int ncpus, char *err, size_t errlen);
/* End the active epoch: flip xs_epoch, and unless `sync` is 0 (no program
 * can be running: test runs) wait until no program still writes the old
 * one. Returns the old epoch's regions, to read and clear, or NULL with
 * errno (EINVAL: sketches are off). */
struct xs_sk_epoch *epoch_flip(struct xs_epochs *x, int sync);
/*
 * The epoch the programs write now, with what every CPU staged of it so
 * far, for a look between intervals (rules_early): NULL when sketches are
 * off or a read failed. The stage and the flow caches are read twice and
 * only the keys both reads hold are kept (counts from the second): a key
 * being replaced while a CPU writes it cannot name a host it never saw.
 * Valid until the next call or epoch_flip().
 */
const struct xs_sk_epoch *epoch_peek(struct xs_epochs *x);
/* After the records of the epoch epoch_flip() returned: clear it (the
 * shared maps and every CPU's stage). 0 or -errno. */
int epoch_clear(struct xs_epochs *x, struct xs_sk_epoch *e);
void epoch_close(struct xs_epochs *x);

#endif /* XS_EPOCH_H */
