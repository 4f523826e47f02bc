/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The benchmark harness around one XDP program under test (bench only).
 *
 * bpf_prog_test_run_opts with repeat = N runs a program N times on one frame,
 * and on this kernel the frame is NOT reset between runs: an encapsulating
 * program would see its own output (and run out of headroom after a dozen
 * runs), a decapsulating one would strip the next header. So the program under
 * test is not run directly. Its source is compiled into a bench object with its
 * entry point turned into a global, not inlined function (see
 * bench_balancer.bpf.c), and a wrapper program calls it (a BPF-to-BPF call) on
 * the frame as the caller gave it, every time:
 *
 *   first run of a test_run call   remember the first SAVE_LEN bytes and the length
 *   every later run                undo the previous run: move the head back by what
 *                                  it added or removed, copy the saved bytes back
 *   then                           optionally vary the flow (SYN scenario), call the program
 *
 * and leaves the program's output in place, so the frame that test_run hands
 * back after N runs is the output of the N-th run on the original frame; the
 * bench checks it against a single run. The wrapper's own cost is measured in
 * the same run (the wrapper around a function that returns XDP_PASS, against a
 * bare XDP_PASS program).
 *
 * The programs under test only ever write the first SAVE_LEN bytes of the
 * original frame (Ethernet header, outer headers, the strip of the decap) and
 * the headroom in front of it; the bench's checks fail if that ever stops
 * being true.
 *
 * (An extension program, freplace, would have let the unmodified objects of
 * `make build` be measured; this kernel refuses BPF_PROG_TYPE_EXT loads with
 * EPERM even for root, so the source is compiled in instead, with the same
 * compiler and flags.)
 */
#ifndef XDPLB_BENCH_WRAP_H
#define XDPLB_BENCH_WRAP_H

#include <linux/types.h>

#define SAVE_LEN 64
#define WRAP_MAX 8

/* One per wrapper (index in wrap_state); user space zeroes it before every test_run call. */
struct wrap_state {
	__u32 dirty;        /* a previous run of this call left its output in the frame */
	__s32 delta;        /* bytes that run added in front of the frame (< 0: removed) */
	__u32 len0;         /* the frame's length as given */
	__u32 runs;         /* runs of this call */
	__u32 vary;         /* 1: make every run a new IPv4 flow (see below) */
	__u32 vary_base;    /* added to the run counter, so that rounds can use new flows */
	__u32 errors;       /* frame shorter than SAVE_LEN, or the head could not be moved back */
	__u32 pad;
	__u64 orig[SAVE_LEN / 8];
};

#ifdef __BPF__
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct wrap_state);
	__uint(max_entries, WRAP_MAX);
} wrap_state SEC(".maps");

/* 8-byte copies (a plain memcpy of packet bytes would be done byte by byte). */
#define WRAP_COPY(dst, src)							\
	do {									\
		(dst)[0] = (src)[0]; (dst)[1] = (src)[1];			\
		(dst)[2] = (src)[2]; (dst)[3] = (src)[3];			\
		(dst)[4] = (src)[4]; (dst)[5] = (src)[5];			\
		(dst)[6] = (src)[6]; (dst)[7] = (src)[7];			\
	} while (0)

/*
 * SEC("xdp") int NAME(ctx): the wrapper (state index IDX) around the global
 * function INNER. SYN scenario (vary): for an untagged IPv4 frame with a
 * 20-byte header, the low 16 bits of the run counter are xor'ed into the TCP
 * source port and the high 16 into the last two bytes of the source address,
 * so that every run is a new flow. Checksums are not fixed: the balancer does
 * not verify them.
 */
#define BENCH_WRAP(NAME, IDX, INNER)						\
SEC("xdp")									\
int NAME(struct xdp_md *ctx)							\
{										\
	struct wrap_state *st;							\
	void *data, *data_end;							\
	__u32 key = (IDX);							\
	int ret;								\
										\
	st = bpf_map_lookup_elem(&wrap_state, &key);				\
	if (!st)								\
		return XDP_ABORTED;						\
	if (st->dirty) {							\
		if (st->delta && bpf_xdp_adjust_head(ctx, st->delta)) {		\
			st->errors++;						\
			return XDP_ABORTED;					\
		}								\
		data = (void *)(long)ctx->data;					\
		data_end = (void *)(long)ctx->data_end;				\
		if (data + SAVE_LEN > data_end) {				\
			st->errors++;						\
			return XDP_ABORTED;					\
		}								\
		WRAP_COPY((__u64 *)data, st->orig);				\
	} else {								\
		data = (void *)(long)ctx->data;					\
		data_end = (void *)(long)ctx->data_end;				\
		if (data + SAVE_LEN > data_end) {				\
			st->errors++;						\
			return XDP_ABORTED;					\
		}								\
		WRAP_COPY(st->orig, (__u64 *)data);				\
		st->len0 = data_end - data;					\
		st->dirty = 1;							\
	}									\
	st->runs++;								\
	if (st->vary) {								\
		__u32 n = st->vary_base + st->runs;				\
		__be16 *saddr_lo = data + 14 + 14;				\
		__be16 *sport = data + 14 + 20;					\
										\
		*saddr_lo ^= bpf_htons(n >> 16);				\
		*sport ^= bpf_htons(n & 0xffff);				\
	}									\
	ret = INNER(ctx);							\
	data = (void *)(long)ctx->data;						\
	data_end = (void *)(long)ctx->data_end;					\
	st->delta = (__s32)(data_end - data) - (__s32)st->len0;			\
	return ret;								\
}
#endif /* __BPF__ */

#endif
