// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * decap: the real server's half of xdplb.
 *
 * Packets addressed to one of this host's tunnel addresses (decap_addrs) that
 * carry IPIP (4in4, 6in4, 4in6, 6in6) or GUE variant 1 (UDP to the configured
 * port, the inner IP packet right after the UDP header) lose their outer
 * headers here; the inner packet is passed to the stack, which delivers it to
 * the VIP bound on lo. The kernel has no ipip/fou modules to do this, and doing
 * it at XDP is cheaper anyway. Everything else passes untouched.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdplb_abi.h"
#include "parse.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct ip_addr);
	__type(value, __u32);
	__uint(max_entries, 64);
} decap_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct decap_config);
	__uint(max_entries, 1);
} decap_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct counter);
	__uint(max_entries, XDPLB_DECAP_STAT_MAX);
} decap_stats SEC(".maps");

/* Keeps the enum in the object's BTF so the control plane can name the counters. */
const enum xdplb_decap_stat xdplb_decap_stat_names __attribute__((unused)) = XDPLB_DECAP_STAT_MAX;

static __always_inline void count(__u32 stat, __u64 bytes)
{
	struct counter *c = bpf_map_lookup_elem(&decap_stats, &stat);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline int is_local(const __be32 *addr, __u8 family)
{
	struct ip_addr key = { .family = family };

	key.addr[0] = addr[0];
	if (family == XDPLB_AF_INET6) {
		key.addr[1] = addr[1];
		key.addr[2] = addr[2];
		key.addr[3] = addr[3];
	}
	return bpf_map_lookup_elem(&decap_addrs, &key) != NULL;
}

/*
 * Removes the strip bytes that follow the Ethernet header (the outer IP header,
 * plus UDP for GUE): the Ethernet header (and VLAN tag) moves forward over
 * them, and its EtherType becomes the inner packet's.
 */
static __always_inline int strip(struct xdp_md *ctx, __u32 l3_off, __u32 strip_len, __be16 inner_proto)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr eth;
	struct vlan_hdr vlan;
	int tagged = l3_off != sizeof(struct ethhdr);

	if (data + sizeof(eth) + sizeof(vlan) > data_end && tagged)
		return -1;
	if (data + sizeof(eth) > data_end)
		return -1;
	__builtin_memcpy(&eth, data, sizeof(eth));
	if (tagged)
		__builtin_memcpy(&vlan, data + sizeof(eth), sizeof(vlan));

	if (bpf_xdp_adjust_head(ctx, (int)strip_len))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	if (tagged) {
		if (data + sizeof(eth) + sizeof(vlan) > data_end)
			return -1;
		vlan.h_vlan_encapsulated_proto = inner_proto;
		__builtin_memcpy(data, &eth, sizeof(eth));
		__builtin_memcpy(data + sizeof(eth), &vlan, sizeof(vlan));
	} else {
		if (data + sizeof(eth) > data_end)
			return -1;
		eth.h_proto = inner_proto;
		__builtin_memcpy(data, &eth, sizeof(eth));
	}
	return 0;
}

/*
 * The inner packet runs from off to end (where the outer packet's own length,
 * or the GUE UDP length, says it ends; never data_end, which may include an
 * Ethernet trailer). It must be a whole IP packet of the version the outer
 * header announces: its fixed header and its own total length fit before end.
 */
static __always_inline int inner_proto_at(void *data, void *data_end, __u32 off, __u32 end,
					  __u8 outer_next, __be16 *proto)
{
	__u8 *p = data + off;
	__u8 version;

	if (off > XDPLB_PARSE_MAX_OFF || (void *)(p + 1) > data_end || off >= end)
		return -1;
	version = *p >> 4;
	if (outer_next == IPPROTO_IPIP && version != 4)
		return -1;
	if (outer_next == IPPROTO_IPV6 && version != 6)
		return -1;
	if (version == 4) {
		struct iphdr *iph = (void *)p;
		__u32 ihl, len;

		if ((void *)(iph + 1) > data_end || off + sizeof(*iph) > end)
			return -1;
		ihl = iph->ihl * 4;
		len = bpf_ntohs(iph->tot_len);
		if (ihl < sizeof(*iph) || len < ihl || off + len > end)
			return -1;
		*proto = bpf_htons(ETH_P_IP);
		return 4;
	}
	if (version == 6) {
		struct ipv6hdr *ip6 = (void *)p;

		if ((void *)(ip6 + 1) > data_end || off + sizeof(*ip6) > end)
			return -1;
		if (off + sizeof(*ip6) + bpf_ntohs(ip6->payload_len) > end)
			return -1;
		*proto = bpf_htons(ETH_P_IPV6);
		return 6;
	}
	return -1;
}

SEC("xdp")
int decap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 bytes = data_end - data;
	__u32 zero = 0, l3_off, l4_off, l3_end;
	__be16 eth_proto, inner_proto;
	struct decap_config *cfg;
	__u8 next, outer_family;
	int inner;
	__u32 gue = 0, udp_len;

	if (parse_eth(data, data_end, &l3_off, &eth_proto))
		goto pass;

	if (eth_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = data + l3_off;
		__u32 ihl;

		if ((void *)(iph + 1) > data_end)
			goto pass;
		if (!is_local(&iph->daddr, XDPLB_AF_INET))
			goto pass;
		ihl = iph->ihl * 4;
		/* addressed to us but not IPv4 as its EtherType says: the stack would drop it too */
		if (iph->version != 4 || ihl < sizeof(*iph))
			goto malformed;
		/* an outer fragment cannot be stripped on its own: leave it to the stack */
		if (iph->frag_off & bpf_htons(XDPLB_IP_MF | XDPLB_IP_OFFSET))
			goto pass;
		next = iph->protocol;
		l4_off = l3_off + ihl;
		l3_end = l3_off + bpf_ntohs(iph->tot_len);
		outer_family = XDPLB_AF_INET;
	} else if (eth_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = data + l3_off;
		int res;

		if ((void *)(ip6 + 1) > data_end)
			goto pass;
		if (!is_local(ip6->daddr.in6_u.u6_addr32, XDPLB_AF_INET6))
			goto pass;
		if (ip6->version != 6)
			goto malformed;
		next = ip6->nexthdr;
		l4_off = l3_off + sizeof(*ip6);
		l3_end = l4_off + bpf_ntohs(ip6->payload_len);
		res = ipv6_skip_ext(data, data_end, &l4_off, l3_end, &next);
		if (res != XDPLB_PARSE_OK)
			goto pass;
		outer_family = XDPLB_AF_INET6;
	} else {
		goto pass;
	}

	if (next == IPPROTO_UDP) {
		struct udphdr *udp = data + l4_off;

		cfg = bpf_map_lookup_elem(&decap_config, &zero);
		if (!cfg || !cfg->gue_port)
			goto pass;
		if (l4_off > XDPLB_PARSE_MAX_OFF || (void *)(udp + 1) > data_end)
			goto pass;
		if (udp->dest != cfg->gue_port)
			goto pass;
		gue = 1;
		/* the inner packet ends where the UDP length says, which must fit the outer packet */
		udp_len = bpf_ntohs(udp->len);
		if (l3_end > bytes || udp_len < sizeof(*udp) || l4_off + udp_len > l3_end)
			goto malformed;
		l3_end = l4_off + udp_len;
		l4_off += sizeof(*udp);
	} else if (next != IPPROTO_IPIP && next != IPPROTO_IPV6) {
		goto pass;
	}

	/* From here on the packet is a tunnel packet for us: broken means dropped. */
	if (l3_end > bytes || l4_off > l3_end)
		goto malformed;
	inner = inner_proto_at(data, data_end, l4_off, l3_end, gue ? 0 : next, &inner_proto);
	if (inner < 0)
		goto malformed;
	if (strip(ctx, l3_off, l4_off - l3_off, inner_proto))
		goto malformed;

	if (gue)
		count(XDPLB_DECAP_GUE, bytes);
	if (outer_family == XDPLB_AF_INET)
		count(inner == 4 ? XDPLB_DECAP_IPIP4 : XDPLB_DECAP_IP6_IN_IP4, bytes);
	else
		count(inner == 6 ? XDPLB_DECAP_IPIP6 : XDPLB_DECAP_IP4_IN_IP6, bytes);
	return XDP_PASS;

malformed:
	count(XDPLB_DECAP_DROP_MALFORMED, bytes);
	return XDP_DROP;
pass:
	count(XDPLB_DECAP_PASS_OTHER, bytes);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
