/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * icmp.h: ICMP / ICMPv6 handling of the director.
 *  - echo replies built in place (MACs and addresses swapped, checksums
 *    updated incrementally);
 *  - the flow quoted in an ICMP error (frag-needed / packet-too-big), turned
 *    back into the forward (client -> VIP) direction;
 *  - "fragmentation needed" / "packet too big" replies to the client.
 */
#ifndef XDPLB_ICMP_H
#define XDPLB_ICMP_H

#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
/*
 * <linux/icmp.h> includes <linux/if.h>, which includes glibc's
 * <sys/socket.h>; for -target bpf that wants the 32-bit glibc stubs
 * (gnu/stubs-32.h), absent without multilib. icmp.h needs only IFNAMSIZ
 * from it, so <linux/if.h> is skipped here. Include this header before any
 * other that pulls <linux/icmp.h>.
 */
#ifndef _LINUX_IF_H
#define _LINUX_IF_H
#endif
#ifndef IFNAMSIZ
#define IFNAMSIZ 16
#endif
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdplb_abi.h"
#include "parse.h"
#include "csum.h"

#define XDPLB_ICMP_TTL 64

/* RFC 1812 4.3.2.3: an ICMPv4 error is at most 576 bytes long. */
#define XDPLB_ICMP4_QUOTE_MAX (576 - 20 - 8)
/* RFC 4443 2.4 (c): an ICMPv6 error must not exceed the minimum MTU 1280. */
#define XDPLB_ICMP6_QUOTE_MAX (1280 - 40 - 8)

enum xdplb_qflow {
	XDPLB_QF_OK = 0,
	XDPLB_QF_TRUNC, /* quoted header cut or malformed */
	XDPLB_QF_OTHER, /* not a TCP/UDP first fragment: not ours */
};

static __always_inline void swap_macs(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, tmp, ETH_ALEN);
}

/*
 * Echo request -> echo reply, in place: MACs swapped, addresses swapped,
 * TTL 64 (IPv4 header checksum updated), type 0 (ICMP checksum updated).
 * IPv4 options are kept as they are.
 */
static __always_inline int icmp4_echo_reply(void *data, void *data_end,
					    __u32 l3_off, __u32 l4_off)
{
	struct ethhdr *eth = data;
	struct iphdr *iph;
	struct icmphdr *ic;
	__be32 a;
	__u16 old;

	if (l3_off > 18 || l4_off > 18 + 60)
		return -1;
	iph = data + l3_off;
	ic = data + l4_off;
	if ((void *)(eth + 1) > data_end || (void *)(iph + 1) > data_end ||
	    (void *)(ic + 1) > data_end)
		return -1;
	swap_macs(eth);
	a = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = a;
	old = *(__u16 *)&iph->ttl;
	iph->ttl = XDPLB_ICMP_TTL;
	csum_replace2(&iph->check, old, *(__u16 *)&iph->ttl);
	old = *(__u16 *)ic;
	ic->type = ICMP_ECHOREPLY;
	csum_replace2(&ic->checksum, old, *(__u16 *)ic);
	return 0;
}

/* The same for ICMPv6 (no extension headers): type 129, hop limit 64. */
static __always_inline int icmp6_echo_reply(void *data, void *data_end,
					    __u32 l3_off, __u32 l4_off)
{
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct icmp6hdr *ic;
	__be32 a;
	__u16 old;
	int i;

	if (l3_off > 18 || l4_off > 18 + 40)
		return -1;
	ip6 = data + l3_off;
	ic = data + l4_off;
	if ((void *)(eth + 1) > data_end || (void *)(ip6 + 1) > data_end ||
	    (void *)(ic + 1) > data_end)
		return -1;
	swap_macs(eth);
#pragma unroll
	for (i = 0; i < 4; i++) {
		a = ip6->saddr.in6_u.u6_addr32[i];
		ip6->saddr.in6_u.u6_addr32[i] = ip6->daddr.in6_u.u6_addr32[i];
		ip6->daddr.in6_u.u6_addr32[i] = a;
	}
	ip6->hop_limit = XDPLB_ICMP_TTL;
	/* the pseudo-header sum does not change when the addresses swap */
	old = *(__u16 *)ic;
	ic->icmp6_type = ICMPV6_ECHO_REPLY;
	csum_replace2(&ic->icmp6_cksum, old, *(__u16 *)ic);
	return 0;
}

/*
 * The IPv4 header quoted in an ICMP error starts at qoff; the ICMP packet
 * ends at end. The quoted packet went VIP:port -> client:port (a reply of
 * the real server); fk gets the forward direction client -> VIP, as a
 * packet of that flow arrives at the director. Only the ports (the first 4
 * bytes after the quoted header) are needed.
 */
static __always_inline int icmp4_quoted_flow(void *data, void *data_end,
					     __u32 qoff, __u32 end,
					     struct flow_key *fk)
{
	struct iphdr *q;
	__be16 *ports;
	__u32 poff;

	if (qoff > XDPLB_PARSE_MAX_OFF)
		return XDPLB_QF_TRUNC;
	q = data + qoff;
	if ((void *)(q + 1) > data_end || qoff + sizeof(*q) > end)
		return XDPLB_QF_TRUNC;
	if (q->version != 4 || q->ihl < 5)
		return XDPLB_QF_TRUNC;
	if (q->frag_off & bpf_htons(XDPLB_IP_OFFSET))
		return XDPLB_QF_OTHER;
	if (q->protocol != IPPROTO_TCP && q->protocol != IPPROTO_UDP)
		return XDPLB_QF_OTHER;
	poff = qoff + q->ihl * 4;
	ports = data + poff;
	if ((void *)(ports + 2) > data_end || poff + 4 > end)
		return XDPLB_QF_TRUNC;
	fk->src[0] = q->daddr;
	fk->dst[0] = q->saddr;
	fk->sport = ports[1];
	fk->dport = ports[0];
	fk->proto = q->protocol;
	fk->family = XDPLB_AF_INET;
	return XDPLB_QF_OK;
}

/* The same for the IPv6 header quoted in an ICMPv6 packet-too-big. */
static __always_inline int icmp6_quoted_flow(void *data, void *data_end,
					     __u32 qoff, __u32 end,
					     struct flow_key *fk)
{
	struct ipv6hdr *q;
	__be16 *ports;
	__u32 poff;
	__u8 nh;
	int r, i;

	if (qoff > XDPLB_PARSE_MAX_OFF)
		return XDPLB_QF_TRUNC;
	q = data + qoff;
	if ((void *)(q + 1) > data_end || qoff + sizeof(*q) > end)
		return XDPLB_QF_TRUNC;
	if (q->version != 6)
		return XDPLB_QF_TRUNC;
	poff = qoff + sizeof(*q);
	nh = q->nexthdr;
	r = ipv6_skip_ext(data, data_end, &poff, end, &nh);
	if (r == XDPLB_PARSE_TRUNC)
		return XDPLB_QF_TRUNC;
	if (r != XDPLB_PARSE_OK)
		return XDPLB_QF_OTHER;
	if (nh != IPPROTO_TCP && nh != IPPROTO_UDP)
		return XDPLB_QF_OTHER;
	if (poff > XDPLB_PARSE_MAX_OFF)
		return XDPLB_QF_TRUNC;
	ports = data + poff;
	if ((void *)(ports + 2) > data_end || poff + 4 > end)
		return XDPLB_QF_TRUNC;
#pragma unroll
	for (i = 0; i < 4; i++) {
		fk->src[i] = q->daddr.in6_u.u6_addr32[i];
		fk->dst[i] = q->saddr.in6_u.u6_addr32[i];
	}
	fk->sport = ports[1];
	fk->dport = ports[0];
	fk->proto = nh;
	fk->family = XDPLB_AF_INET6;
	return XDPLB_QF_OK;
}

/* L2 header of the packet being answered: 14 bytes, or 18 with a tag (always 18 copied). */
struct xdplb_l2 {
	struct ethhdr eth;
	struct vlan_hdr vlan;
};

static __always_inline int l2_save(void *data, void *data_end, struct xdplb_l2 *l2)
{
	if (data + sizeof(*l2) > data_end)
		return -1;
	__builtin_memcpy(l2, data, sizeof(*l2));
	return 0;
}

/* Writes the saved L2 header back with the MACs swapped (tag kept). */
static __always_inline int l2_restore_swapped(void *data, void *data_end,
					      __u32 l3_off,
					      const struct xdplb_l2 *l2)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vh = (void *)(eth + 1);

	if ((void *)(vh + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, l2->eth.h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, l2->eth.h_dest, ETH_ALEN);
	eth->h_proto = l2->eth.h_proto;
	if (l3_off > sizeof(*eth))
		*vh = l2->vlan;
	return 0;
}

/*
 * Makes the frame room for an ICMP error about the packet at l3_off: cuts it after
 * l3_off + quote bytes, grows the head by hroom bytes (the new IP + ICMP headers go
 * between the L2 header and the quoted packet) and writes the saved L2 header back
 * with the MACs swapped. Returns 0, or -1 (frame in an undefined state: drop it).
 */
static __always_inline int icmp_reply_room(struct xdp_md *ctx, __u32 l3_off, __u32 quote,
					   int hroom, const struct xdplb_l2 *l2)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	int delta = (int)(l3_off + quote) - (int)(data_end - data);

	if (delta < 0 && bpf_xdp_adjust_tail(ctx, delta))
		return -1;
	if (bpf_xdp_adjust_head(ctx, -hroom))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	return l2_restore_swapped(data, data_end, l3_off, l2);
}

/*
 * Replaces the IPv4 packet at l3_off (l3_len bytes long, addressed to a VIP)
 * by an ICMP "fragmentation needed" (type 3 code 4) from the VIP to the
 * client, next-hop MTU next_mtu, quoting the first min(l3_len, 548) bytes of
 * the packet (the reply is at most 576 bytes). MACs swapped, VLAN tag kept.
 * The caller sends it with XDP_TX. Returns 0, or -1 (packet left in an
 * undefined state: drop it).
 */
static __always_inline int icmp4_send_too_big(struct xdp_md *ctx, __u32 l3_off,
					      __u32 l3_len, __u16 next_mtu)
{
	const int hroom = sizeof(struct iphdr) + sizeof(struct icmphdr);
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 quote = l3_len < XDPLB_ICMP4_QUOTE_MAX ? l3_len : XDPLB_ICMP4_QUOTE_MAX;
	struct xdplb_l2 l2;
	struct iphdr *iph;
	struct icmphdr *ic;
	__be32 client, vip;
	__s64 s;

	if (l3_off != 14 && l3_off != 18)
		return -1;
	iph = data + l3_off;
	if ((void *)(iph + 1) > data_end || l2_save(data, data_end, &l2))
		return -1;
	client = iph->saddr;
	vip = iph->daddr;

	if (icmp_reply_room(ctx, l3_off, quote, hroom, &l2))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l3_off != 14 && l3_off != 18)
		return -1;
	iph = data + l3_off;
	ic = (void *)(iph + 1);
	if ((void *)(ic + 1) > data_end)
		return -1;

	iph->version = 4;
	iph->ihl = 5;
	iph->tos = 0;
	iph->tot_len = bpf_htons(hroom + quote);
	iph->id = 0;
	iph->frag_off = 0;
	iph->ttl = XDPLB_ICMP_TTL;
	iph->protocol = IPPROTO_ICMP;
	iph->saddr = vip;
	iph->daddr = client;
	ipv4_hdr_csum(iph);

	ic->type = ICMP_DEST_UNREACH;
	ic->code = ICMP_FRAG_NEEDED;
	ic->checksum = 0;
	ic->un.gateway = 0;
	ic->un.frag.mtu = bpf_htons(next_mtu);

	s = xdplb_csum_range(ctx, l3_off + sizeof(struct iphdr),
			     sizeof(struct icmphdr) + quote);
	if (s < 0)
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l3_off != 14 && l3_off != 18)
		return -1;
	ic = data + l3_off + sizeof(struct iphdr);
	if ((void *)(ic + 1) > data_end)
		return -1;
	ic->checksum = csum_finish(s);
	return 0;
}

/*
 * The same for IPv6: ICMPv6 packet-too-big (type 2 code 0, MTU next_mtu)
 * from the VIP to the client, quoting min(l3_len, 1232) bytes so that the
 * reply is at most 1280 bytes.
 */
static __always_inline int icmp6_send_too_big(struct xdp_md *ctx, __u32 l3_off,
					      __u32 l3_len, __u32 next_mtu)
{
	const int hroom = sizeof(struct ipv6hdr) + sizeof(struct icmp6hdr);
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 quote = l3_len < XDPLB_ICMP6_QUOTE_MAX ? l3_len : XDPLB_ICMP6_QUOTE_MAX;
	struct xdplb_l2 l2;
	struct ipv6hdr *ip6;
	struct icmp6hdr *ic;
	__be32 client[4], vip[4];
	__u64 sum;
	__s64 s;
	int i;

	if (l3_off != 14 && l3_off != 18)
		return -1;
	ip6 = data + l3_off;
	if ((void *)(ip6 + 1) > data_end || l2_save(data, data_end, &l2))
		return -1;
#pragma unroll
	for (i = 0; i < 4; i++) {
		client[i] = ip6->saddr.in6_u.u6_addr32[i];
		vip[i] = ip6->daddr.in6_u.u6_addr32[i];
	}

	if (icmp_reply_room(ctx, l3_off, quote, hroom, &l2))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l3_off != 14 && l3_off != 18)
		return -1;
	ip6 = data + l3_off;
	ic = (void *)(ip6 + 1);
	if ((void *)(ic + 1) > data_end)
		return -1;

	*(__be32 *)ip6 = bpf_htonl(6U << 28);
	ip6->payload_len = bpf_htons(sizeof(struct icmp6hdr) + quote);
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = XDPLB_ICMP_TTL;
#pragma unroll
	for (i = 0; i < 4; i++) {
		ip6->saddr.in6_u.u6_addr32[i] = vip[i];
		ip6->daddr.in6_u.u6_addr32[i] = client[i];
	}
	ic->icmp6_type = ICMPV6_PKT_TOOBIG;
	ic->icmp6_code = 0;
	ic->icmp6_cksum = 0;
	ic->icmp6_mtu = bpf_htonl(next_mtu);

	s = xdplb_csum_range(ctx, l3_off + sizeof(struct ipv6hdr),
			     sizeof(struct icmp6hdr) + quote);
	if (s < 0)
		return -1;
	sum = s + csum_addr6(vip) + csum_addr6(client) +
	      bpf_htons(sizeof(struct icmp6hdr) + quote) + bpf_htons(IPPROTO_ICMPV6);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l3_off != 14 && l3_off != 18)
		return -1;
	ic = data + l3_off + sizeof(struct ipv6hdr);
	if ((void *)(ic + 1) > data_end)
		return -1;
	ic->icmp6_cksum = csum_finish(sum);
	return 0;
}

#endif /* XDPLB_ICMP_H */
