/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * csum.h: Internet checksum (RFC 1071) arithmetic for XDP programs.
 *
 * All sums are kept "in memory order": 16/32-bit words are loaded from the
 * packet as they are, added into a 64-bit accumulator, folded, complemented
 * and stored back as they are. One's-complement addition commutes with byte
 * swapping, so this yields the right bytes on any endianness. A constant
 * that is defined in network order (a length, a protocol number in the low
 * byte of a 16-bit word) must be added as bpf_htons(x).
 *
 * The one's-complement sum is arithmetic modulo 0xffff; csum_neg() is the
 * additive inverse, so partial sums can be subtracted again (used to derive
 * the sum of a TCP/UDP segment from its pseudo-header, see encap.h).
 */
#ifndef XDPLB_CSUM_H
#define XDPLB_CSUM_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

/* Folds a 64-bit accumulator to 16 bits (end-around carry). */
static __always_inline __u16 csum_fold(__u64 s)
{
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffffffff) + (s >> 32);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)s;
}

/* Additive inverse of a sum, modulo 0xffff: x + csum_neg(x) == 0. */
static __always_inline __u64 csum_neg(__u64 s)
{
	return (__u16)~csum_fold(s);
}

/* The checksum field value for a sum that covers everything. */
static __always_inline __u16 csum_finish(__u64 s)
{
	return (__u16)~csum_fold(s);
}

/* Sum of the four words of an IPv6 address (or an IPv4 one in word 0). */
static __always_inline __u64 csum_addr6(const __be32 *a)
{
	return (__u64)a[0] + a[1] + a[2] + a[3];
}

/*
 * RFC 1624 eqn. 3: the 16-bit word at some place changed from old to new
 * (both as read from memory); updates *check in place.
 */
static __always_inline void csum_replace2(__sum16 *check, __u16 old, __u16 new)
{
	__u64 s = (__u16)~*check;

	s += (__u16)~old;
	s += new;
	*check = csum_finish(s);
}

/*
 * Header checksum of a 20-byte IPv4 header (no options) that the caller has
 * bounds-checked. The field is zeroed first, then filled in.
 */
static __always_inline void ipv4_hdr_csum(struct iphdr *iph)
{
	__u32 *w = (__u32 *)iph;
	__u64 s;

	iph->check = 0;
	s = (__u64)w[0] + w[1] + w[2] + w[3] + w[4];
	iph->check = csum_finish(s);
}

/*
 * xdplb_csum_range: one's-complement sum (unfolded, >= 0) of the bytes
 * [off, off + len) of the packet, or -1 when the range is not inside the
 * packet or too long. A global (non-static) subprogram, so the verifier
 * checks it once, not once per caller; used off the fast path only (GUE-over-
 * IPv6 checksum fallback, ICMP error replies). Bounded: len <= 9216.
 *
 * The byte at an odd position of the range is the low-order byte of a
 * 16-bit word in memory order, exactly as the RFC 1071 sum wants.
 */
#define XDPLB_CSUM_OFF_MAX 1024
#define XDPLB_CSUM_LEN_MAX 9216
#define XDPLB_CSUM_MASK    0x3fff /* > XDPLB_CSUM_OFF_MAX + XDPLB_CSUM_LEN_MAX */

__attribute__((noinline)) __s64 xdplb_csum_range(struct xdp_md *ctx, __u32 off,
						 __u32 len)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 sum = 0;
	__u32 i;
	void *p;

	if (off > XDPLB_CSUM_OFF_MAX || len > XDPLB_CSUM_LEN_MAX)
		return -1;

	for (i = 0; i < XDPLB_CSUM_LEN_MAX / 64; i++) {
		__u32 *w;

		if (len < 64)
			break;
		p = data + (off & XDPLB_CSUM_MASK);
		if (p + 64 > data_end)
			return -1;
		w = p;
		sum += (__u64)w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6] +
		       w[7] + w[8] + w[9] + w[10] + w[11] + w[12] + w[13] +
		       w[14] + w[15];
		off += 64;
		len -= 64;
	}
	for (i = 0; i < 16; i++) {
		if (len < 4)
			break;
		p = data + (off & XDPLB_CSUM_MASK);
		if (p + 4 > data_end)
			return -1;
		sum += *(__u32 *)p;
		off += 4;
		len -= 4;
	}
	if (len >= 2) {
		p = data + (off & XDPLB_CSUM_MASK);
		if (p + 2 > data_end)
			return -1;
		sum += *(__u16 *)p;
		off += 2;
		len -= 2;
	}
	if (len) {
		p = data + (off & XDPLB_CSUM_MASK);
		if (p + 1 > data_end)
			return -1;
		sum += *(__u8 *)p;
	}
	return sum;
}

#endif /* XDPLB_CSUM_H */
