// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * healthcheck.bpf.c: tc egress program of the director, for health checks that travel the
 * tunnel. The agent's probe is an ordinary socket to VIP:port whose SO_MARK names one real
 * (hc_targets); this program encapsulates the probe to that real exactly as the XDP
 * director would (encap.h, flow.h), so the real receives it from the same tunnel as client
 * traffic and answers from the VIP. A real that is up but does not serve the VIP (VIP not on
 * lo, no decap, wrong GUE port) fails the check. Every other packet passes untouched.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdplb_abi.h"
#include "parse.h"
#include "csum.h"
#include "flow.h"
#include "encap.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, __u32);
	__type(value, struct hc_target);
	__uint(max_entries, 65536);
} hc_targets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lb_config);
	__uint(max_entries, 1);
} hc_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct counter);
	__uint(max_entries, XDPLB_HC_STAT_MAX);
} hc_stats SEC(".maps");

static __always_inline int count(__u32 idx, __u32 bytes, int action)
{
	struct counter *c = bpf_map_lookup_elem(&hc_stats, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
	return action;
}

/* The probe's 5-tuple as the director's XDP program would see a client's, and its TOS. */
static __always_inline int probe_flow(struct __sk_buff *skb, struct flow_key *f, __u8 *tos)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 l4;
	__be16 *ports;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data + sizeof(struct ethhdr);

		if ((void *)(iph + 1) > data_end || iph->version != 4 || iph->ihl < 5)
			return -1;
		f->family = XDPLB_AF_INET;
		f->src[0] = iph->saddr;
		f->dst[0] = iph->daddr;
		f->proto = iph->protocol;
		*tos = iph->tos;
		l4 = sizeof(struct ethhdr) + iph->ihl * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

		if ((void *)(ip6 + 1) > data_end || ip6->version != 6)
			return -1;
		f->family = XDPLB_AF_INET6;
		__builtin_memcpy(f->src, &ip6->saddr, 16);
		__builtin_memcpy(f->dst, &ip6->daddr, 16);
		f->proto = ip6->nexthdr; /* our own sockets send no extension headers */
		*tos = ipv6_tclass(ip6);
		l4 = sizeof(struct ethhdr) + sizeof(struct ipv6hdr);
	} else {
		return -1;
	}
	if (f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP)
		return -1;
	if (l4 > 0x7f)
		return -1;
	ports = data + l4;
	if ((void *)(ports + 2) > data_end)
		return -1;
	f->sport = ports[0];
	f->dport = ports[1];
	return 0;
}

SEC("tc")
int healthcheck(struct __sk_buff *skb)
{
	__u32 mark = skb->mark, zero = 0, inner_len, overhead, len = skb->len;
	struct hc_target *t;
	struct lb_config *cfg;
	struct flow_key f = {};
	void *data, *data_end;
	struct ethhdr *eth;
	__u64 flags, psum = 0;
	__u8 tos = 0, outer6, gue;
	__u32 entropy;

	if ((mark & XDPLB_HC_MARK_MASK) != XDPLB_HC_MARK_BASE)
		return TC_ACT_OK;
	t = bpf_map_lookup_elem(&hc_targets, &mark);
	if (!t)
		return count(XDPLB_HC_NO_TARGET, len, TC_ACT_SHOT);
	cfg = bpf_map_lookup_elem(&hc_config, &zero);
	if (!cfg)
		return count(XDPLB_HC_DROP_ENCAP_FAILED, len, TC_ACT_SHOT);
	if (len > 0xffff || bpf_skb_pull_data(skb, len < 128 ? len : 128))
		return count(XDPLB_HC_DROP_MALFORMED, len, TC_ACT_SHOT);
	if (probe_flow(skb, &f, &tos))
		return count(XDPLB_HC_DROP_MALFORMED, len, TC_ACT_SHOT);

	outer6 = t->real.family == XDPLB_AF_INET6;
	gue = t->encap == XDPLB_ENCAP_GUE;
	if ((!gue && !outer6 && f.family == XDPLB_AF_INET6) || (gue && !cfg->gue_port) ||
	    (outer6 ? !(cfg->src6[0] | cfg->src6[1] | cfg->src6[2] | cfg->src6[3]) : !cfg->src4))
		return count(XDPLB_HC_DROP_ENCAP_FAILED, len, TC_ACT_SHOT);
	entropy = flow_entropy(&f);
	inner_len = len - sizeof(struct ethhdr);
	overhead = (outer6 ? XDPLB_IPV6_HLEN : XDPLB_IPV4_HLEN) + (gue ? XDPLB_UDP_HLEN : 0);

	/* GUE over IPv6 needs the inner packet's sum; our L4 checksum may still be "partial",
	 * which is exactly the case the LCO arithmetic covers (encap.h). */
	if (gue && outer6) {
		data = (void *)(long)skb->data;
		data_end = (void *)(long)skb->data_end;
		if (f.family == XDPLB_AF_INET) {
			struct iphdr *iph = data + sizeof(struct ethhdr);

			if ((void *)(iph + 1) > data_end)
				return count(XDPLB_HC_DROP_MALFORMED, len, TC_ACT_SHOT);
			psum = inner4_lco_sum(iph, f.proto, inner_len - iph->ihl * 4);
		} else {
			struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);

			if ((void *)(ip6 + 1) > data_end)
				return count(XDPLB_HC_DROP_MALFORMED, len, TC_ACT_SHOT);
			psum = inner6_lco_sum(ip6, f.proto, inner_len - sizeof(*ip6));
		}
	}

	flags = (outer6 ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 : BPF_F_ADJ_ROOM_ENCAP_L3_IPV4) |
		(gue ? BPF_F_ADJ_ROOM_ENCAP_L4_UDP : 0);
	if (bpf_skb_adjust_room(skb, overhead, BPF_ADJ_ROOM_MAC, flags))
		return count(XDPLB_HC_DROP_ENCAP_FAILED, len, TC_ACT_SHOT);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	eth = data;
	if ((void *)(eth + 1) + XDPLB_IPV6_HLEN + XDPLB_UDP_HLEN > data_end)
		return count(XDPLB_HC_DROP_ENCAP_FAILED, len, TC_ACT_SHOT);
	__builtin_memcpy(eth->h_dest, cfg->dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->src_mac, ETH_ALEN);
	eth->h_proto = bpf_htons(outer6 ? ETH_P_IPV6 : ETH_P_IP);
	if (outer6)
		encap_outer6(eth + 1, tos, inner_len, f.family, gue, cfg->src6, t->real.addr, entropy,
			     cfg->gue_port, psum);
	else
		encap_outer4(eth + 1, tos, inner_len, f.family, gue, cfg->src4, t->real.addr[0], entropy,
			     cfg->gue_port);
	count(XDPLB_HC_ENCAPPED, len, 0);
	if (cfg->egress_ifindex && cfg->egress_ifindex != skb->ifindex)
		return bpf_redirect(cfg->egress_ifindex, 0);
	return TC_ACT_OK;
}

/* Keeps the ABI's types in the object's BTF, for the control plane's checks and names. */
const enum xdplb_hc_stat xdplb_hc_stat_names __attribute__((unused)) = XDPLB_HC_STAT_MAX;
const struct hc_target xdplb_hc_target_type __attribute__((unused)) = {};

char LICENSE[] SEC("license") = "Dual BSD/GPL";
