/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * parse.h: bounds-checked header parsing for XDP programs.
 *
 * Generic (no map, no balancer knowledge) so that every program in bpf/ can
 * use it. Offsets are byte offsets from ctx->data; every function checks each
 * access against data_end itself and never trusts a length read from the
 * packet.
 */
#ifndef XDPLB_PARSE_H
#define XDPLB_PARSE_H

#include <linux/types.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef ETH_P_8021Q
#define ETH_P_8021Q 0x8100
#endif

/* One 802.1Q tag (not in the UAPI headers). */
struct vlan_hdr {
	__be16 h_vlan_TCI;
	__be16 h_vlan_encapsulated_proto;
};

/* IPv4 frag_off bits (host order, compare after bpf_htons). */
#define XDPLB_IP_DF     0x4000
#define XDPLB_IP_MF     0x2000
#define XDPLB_IP_OFFSET 0x1fff

/* IPv6 extension headers skipped by ipv6_skip_ext(), at most this many. */
#ifndef XDPLB_IPV6_MAX_EXT
#define XDPLB_IPV6_MAX_EXT 4
#endif

/* Largest offset a parser hands out; keeps pointer arithmetic bounded. */
#define XDPLB_PARSE_MAX_OFF 0x3fff

enum xdplb_parse_res {
	XDPLB_PARSE_OK = 0,
	XDPLB_PARSE_TRUNC,    /* a header is cut by data_end or by the L3 length */
	XDPLB_PARSE_FRAG,     /* IPv6 fragment header */
	XDPLB_PARSE_TOO_DEEP, /* more than XDPLB_IPV6_MAX_EXT extension headers */
};

/*
 * Ethernet, with at most one 802.1Q tag. On success *l3_off is 14 or 18 and
 * *proto the EtherType of the L3 header (network order). A second tag is
 * returned as the EtherType 0x8100 (that is: not IP).
 */
static __always_inline int parse_eth(void *data, void *data_end, __u32 *l3_off,
				     __be16 *proto)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vh;

	if ((void *)(eth + 1) > data_end)
		return -1;
	if (eth->h_proto != bpf_htons(ETH_P_8021Q)) {
		*l3_off = sizeof(struct ethhdr);
		*proto = eth->h_proto;
		return 0;
	}
	vh = (void *)(eth + 1);
	if ((void *)(vh + 1) > data_end)
		return -1;
	*l3_off = sizeof(struct ethhdr) + sizeof(struct vlan_hdr);
	*proto = vh->h_vlan_encapsulated_proto;
	return 0;
}

static __always_inline int ipv6_is_ext(__u8 nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING ||
	       nh == IPPROTO_DSTOPTS;
}

/*
 * Skips IPv6 hop-by-hop, routing and destination-options headers.
 * *off: in, offset of the header that *nexthdr names (just after the fixed
 * IPv6 header); out, offset of the upper-layer header, *nexthdr its protocol.
 * end: offset where the IPv6 payload ends (no header may cross it).
 * Bounded: at most XDPLB_IPV6_MAX_EXT headers.
 */
static __always_inline int ipv6_skip_ext(void *data, void *data_end, __u32 *off,
					 __u32 end, __u8 *nexthdr)
{
	__u32 o = *off;
	__u8 nh = *nexthdr;
	int i;

#pragma unroll
	for (i = 0; i < XDPLB_IPV6_MAX_EXT; i++) {
		struct ipv6_opt_hdr *h;
		__u32 len;

		if (nh == IPPROTO_FRAGMENT)
			return XDPLB_PARSE_FRAG;
		if (!ipv6_is_ext(nh))
			goto done;
		if (o > XDPLB_PARSE_MAX_OFF)
			return XDPLB_PARSE_TRUNC;
		h = data + o;
		/* the smallest extension header is 8 bytes */
		if ((void *)h + 8 > data_end || o + 8 > end)
			return XDPLB_PARSE_TRUNC;
		len = ((__u32)h->hdrlen + 1) << 3;
		if (o + len > end)
			return XDPLB_PARSE_TRUNC;
		nh = h->nexthdr;
		o += len;
	}
	if (nh == IPPROTO_FRAGMENT)
		return XDPLB_PARSE_FRAG;
	if (ipv6_is_ext(nh))
		return XDPLB_PARSE_TOO_DEEP;
done:
	*off = o;
	*nexthdr = nh;
	return XDPLB_PARSE_OK;
}

/* DSCP+ECN byte of an IPv6 header. */
static __always_inline __u8 ipv6_tclass(const struct ipv6hdr *ip6)
{
	return (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
}

#endif /* XDPLB_PARSE_H */
