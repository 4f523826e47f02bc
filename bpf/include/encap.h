/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * encap.h: outer headers of IPIP and GUE (variant 1) tunnels.
 *
 * The writers take pointers the caller has already bounds-checked. Lengths
 * are host order here and written in network order.
 */
#ifndef XDPLB_ENCAP_H
#define XDPLB_ENCAP_H

#include <linux/types.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "csum.h"
#include "parse.h"
#include "xdplb_abi.h"

#define XDPLB_OUTER_TTL 64

#define XDPLB_IPV4_HLEN 20
#define XDPLB_IPV6_HLEN 40
#define XDPLB_UDP_HLEN  8

/*
 * Outer IPv4 header: version 4, IHL 5, TOS copied from the inner packet,
 * exact total length, id 0, DF set, TTL 64, checksum over the header with
 * the field zeroed first.
 */
static __always_inline void encap_ipv4_hdr(struct iphdr *o, __u8 tos,
					   __u16 tot_len, __u8 proto,
					   __be32 saddr, __be32 daddr)
{
	o->version = 4;
	o->ihl = 5;
	o->tos = tos;
	o->tot_len = bpf_htons(tot_len);
	o->id = 0;
	o->frag_off = bpf_htons(XDPLB_IP_DF);
	o->ttl = XDPLB_OUTER_TTL;
	o->protocol = proto;
	o->saddr = saddr;
	o->daddr = daddr;
	ipv4_hdr_csum(o);
}

/*
 * Outer IPv6 header: traffic class copied from the inner packet, flow label
 * = the low 20 bits of the flow hash (RFC 6438 entropy), exact payload
 * length, hop limit 64.
 */
static __always_inline void encap_ipv6_hdr(struct ipv6hdr *o, __u8 tclass,
					   __u32 flowlabel, __u16 payload_len,
					   __u8 nexthdr, const __be32 *saddr,
					   const __be32 *daddr)
{
	*(__be32 *)o = bpf_htonl((6U << 28) | ((__u32)tclass << 20) |
				 (flowlabel & 0xfffff));
	o->payload_len = bpf_htons(payload_len);
	o->nexthdr = nexthdr;
	o->hop_limit = XDPLB_OUTER_TTL;
	o->saddr.in6_u.u6_addr32[0] = saddr[0];
	o->saddr.in6_u.u6_addr32[1] = saddr[1];
	o->saddr.in6_u.u6_addr32[2] = saddr[2];
	o->saddr.in6_u.u6_addr32[3] = saddr[3];
	o->daddr.in6_u.u6_addr32[0] = daddr[0];
	o->daddr.in6_u.u6_addr32[1] = daddr[1];
	o->daddr.in6_u.u6_addr32[2] = daddr[2];
	o->daddr.in6_u.u6_addr32[3] = daddr[3];
}

/* GUE variant 1 source port: 32768..65535 from the flow hash. */
static __always_inline __be16 gue_sport(__u32 hash)
{
	return bpf_htons((__u16)(0x8000 | (hash & 0x7fff)));
}

static __always_inline void encap_udp_hdr(struct udphdr *u, __be16 sport,
					  __be16 dport, __u16 len, __u16 check)
{
	u->source = sport;
	u->dest = dport;
	u->len = bpf_htons(len);
	u->check = check;
}

/*
 * UDP checksum of a GUE-over-IPv6 packet, given payload_sum = the
 * one's-complement sum of the UDP payload (the whole inner IP packet).
 * Returns the field value (0 is sent as 0xffff, RFC 8200 8.1).
 */
static __always_inline __u16 gue6_udp_csum(const __be32 *saddr,
					   const __be32 *daddr, __be16 sport,
					   __be16 dport, __u16 udp_len,
					   __u64 payload_sum)
{
	__u64 s = csum_addr6(saddr) + csum_addr6(daddr);
	__u16 c;

	s += bpf_htons(udp_len) + bpf_htons(IPPROTO_UDP); /* pseudo-header */
	s += sport + dport + bpf_htons(udp_len);           /* UDP header */
	s += payload_sum;
	c = csum_finish(s);
	return c ? c : 0xffff;
}

/*
 * Sum of a whole inner IPv4 packet (IHL 5) whose TCP/UDP checksum is valid,
 * without reading the segment ("local checksum offload" arithmetic): a
 * valid segment sums to minus its pseudo-header, and the pseudo-header's
 * addresses cancel the header's, so
 *   sum(packet) = sum(header bytes 0..11) - proto - l4_len.
 * iph must be bounds-checked for 20 bytes.
 */
static __always_inline __u64 inner4_lco_sum(const struct iphdr *iph, __u8 proto,
					    __u16 l4_len)
{
	const __u32 *w = (const __u32 *)iph;

	return (__u64)w[0] + w[1] + w[2] +
	       csum_neg((__u64)bpf_htons(proto) + bpf_htons(l4_len));
}

/*
 * The same for an inner IPv6 packet without extension headers:
 *   sum(packet) = sum(header bytes 0..7) - l4_len - proto.
 * ip6 must be bounds-checked for 40 bytes.
 */
static __always_inline __u64 inner6_lco_sum(const struct ipv6hdr *ip6, __u8 proto,
					    __u16 l4_len)
{
	const __u32 *w = (const __u32 *)ip6;

	return (__u64)w[0] + w[1] +
	       csum_neg((__u64)bpf_htons(proto) + bpf_htons(l4_len));
}

/* IP protocol of the outer header: UDP for GUE, else the inner family's IPIP kind. */
static __always_inline __u8 encap_outer_proto(int gue, __u8 inner_family)
{
	if (gue)
		return IPPROTO_UDP;
	return inner_family == XDPLB_AF_INET ? IPPROTO_IPIP : IPPROTO_IPV6;
}

/*
 * The whole outer header of a tunnel packet over IPv4: the IPv4 header and, for GUE, the UDP
 * header (checksum 0, allowed over IPv4). o points at the room made for it, which the caller
 * has bounds-checked for XDPLB_IPV4_HLEN + XDPLB_UDP_HLEN bytes; inner_len is the length of
 * the inner IP packet. The one writer of IPv4 tunnels: the XDP director and the tc health
 * checker both call it.
 */
static __always_inline void encap_outer4(void *o, __u8 tos, __u32 inner_len, __u8 inner_family,
					 int gue, __be32 saddr, __be32 daddr, __u32 entropy,
					 __be16 gue_port)
{
	__u32 overhead = XDPLB_IPV4_HLEN + (gue ? XDPLB_UDP_HLEN : 0);

	encap_ipv4_hdr(o, tos, inner_len + overhead, encap_outer_proto(gue, inner_family),
		       saddr, daddr);
	if (gue)
		encap_udp_hdr(o + XDPLB_IPV4_HLEN, gue_sport(entropy), gue_port,
			      inner_len + XDPLB_UDP_HLEN, 0);
}

/*
 * The same over IPv6: the IPv6 header (flow label from entropy) and, for GUE, the UDP header
 * with its checksum from payload_sum (the one's-complement sum of the inner packet, see
 * gue6_udp_csum). The caller has bounds-checked XDPLB_IPV6_HLEN + XDPLB_UDP_HLEN bytes at o.
 */
static __always_inline void encap_outer6(void *o, __u8 tos, __u32 inner_len, __u8 inner_family,
					 int gue, const __be32 *saddr, const __be32 *daddr,
					 __u32 entropy, __be16 gue_port, __u64 payload_sum)
{
	__u32 overhead = XDPLB_IPV6_HLEN + (gue ? XDPLB_UDP_HLEN : 0);

	encap_ipv6_hdr(o, tos, entropy, inner_len + overhead - XDPLB_IPV6_HLEN,
		       encap_outer_proto(gue, inner_family), saddr, daddr);
	if (gue) {
		__u16 ulen = inner_len + XDPLB_UDP_HLEN;
		__be16 sport = gue_sport(entropy);

		encap_udp_hdr(o + XDPLB_IPV6_HLEN, sport, gue_port, ulen,
			      gue6_udp_csum(saddr, daddr, sport, gue_port, ulen, payload_sum));
	}
}

#endif /* XDPLB_ENCAP_H */
