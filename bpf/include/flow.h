/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * flow.h: the flow hash and the outer-header entropy, shared by the director's XDP
 * program and its health-check egress program, so that a probe's tunnel carries the same
 * entropy (GUE source port, IPv6 flow label) as a client flow with the same 5-tuple would.
 */
#ifndef XDPLB_FLOW_H
#define XDPLB_FLOW_H

#include <linux/types.h>
#include "xdplb_abi.h"
#include "jhash.h"

/*
 * The flow hash: the ring position, computed only when the ring is used.
 * jhash2 of 5 words, each the little-endian u32 of 4 packet bytes:
 * src[0..3] (IPv4: src[0], zeros), then sport,dport. NO_SPORT zeroes sport;
 * DPORT_ONLY zeroes the source address and sport.
 */
static __always_inline __u32 flow_hash(const struct flow_key *f, __u32 flags)
{
	__u32 s0 = f->src[0], s1 = f->src[1], s2 = f->src[2], s3 = f->src[3];
	__u32 sport = f->sport;

	if (flags & XDPLB_VIP_DPORT_ONLY) {
		s0 = s1 = s2 = s3 = 0;
		sport = 0;
	} else if (flags & XDPLB_VIP_NO_SPORT) {
		sport = 0;
	}
	return jhash_5words(s0, s1, s2, s3, sport | ((__u32)f->dport << 16),
			    XDPLB_HASH_SEED);
}

/*
 * Entropy of the outer header (GUE source port, IPv6 flow label): the same
 * for every packet of a flow, whether the real came from the connection table
 * or the ring, and much cheaper than flow_hash(): the source address words,
 * ports and the xor of them folded, one multiply, folded again.
 */
static __always_inline __u32 flow_entropy(const struct flow_key *f)
{
	__u32 x = f->src[0] ^ f->src[1] ^ f->src[2] ^ f->src[3] ^
		  (f->sport | ((__u32)f->dport << 16));

	x ^= x >> 16;
	x *= 0x45d9f3b;
	x ^= x >> 16;
	return x;
}

#endif /* XDPLB_FLOW_H */
