/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * jhash.h: Bob Jenkins' lookup3 word hash (the kernel's jhash2), written out
 * for a fixed number of words. Deterministic and seeded with a constant, so
 * every director computes the same hash for the same flow.
 */
#ifndef XDPLB_JHASH_H
#define XDPLB_JHASH_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>

#define XDPLB_JHASH_INITVAL 0xdeadbeef
/* The flow-hash seed. Never change it: directors must agree. */
#define XDPLB_HASH_SEED 0x1b873593

static __always_inline __u32 xdplb_rol32(__u32 w, unsigned int s)
{
	return (w << s) | (w >> (32 - s));
}

#define XDPLB_JHASH_MIX(a, b, c)                     \
	do {                                         \
		a -= c; a ^= xdplb_rol32(c, 4);  c += b; \
		b -= a; b ^= xdplb_rol32(a, 6);  a += c; \
		c -= b; c ^= xdplb_rol32(b, 8);  b += a; \
		a -= c; a ^= xdplb_rol32(c, 16); c += b; \
		b -= a; b ^= xdplb_rol32(a, 19); a += c; \
		c -= b; c ^= xdplb_rol32(b, 4);  b += a; \
	} while (0)

#define XDPLB_JHASH_FINAL(a, b, c)                  \
	do {                                        \
		c ^= b; c -= xdplb_rol32(b, 14);    \
		a ^= c; a -= xdplb_rol32(c, 11);    \
		b ^= a; b -= xdplb_rol32(a, 25);    \
		c ^= b; c -= xdplb_rol32(b, 16);    \
		a ^= c; a -= xdplb_rol32(c, 4);     \
		b ^= a; b -= xdplb_rol32(a, 14);    \
		c ^= b; c -= xdplb_rol32(b, 24);    \
	} while (0)

/* == jhash2(k, 5, seed) of the Linux kernel for k = {w0, .., w4}. */
static __always_inline __u32 jhash_5words(__u32 w0, __u32 w1, __u32 w2,
					  __u32 w3, __u32 w4, __u32 seed)
{
	__u32 a, b, c;

	a = b = c = XDPLB_JHASH_INITVAL + (5 << 2) + seed;
	a += w0;
	b += w1;
	c += w2;
	XDPLB_JHASH_MIX(a, b, c);
	a += w3;
	b += w4;
	XDPLB_JHASH_FINAL(a, b, c);
	return c;
}

#endif /* XDPLB_JHASH_H */
