// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * balancer: the xdplb director (XDP).
 *
 * Packets to a VIP are encapsulated (IPIP or GUE) to one of the VIP's real
 * servers and sent back out (XDP_TX or bpf_redirect); everything the
 * director does not own passes to the kernel untouched. docs/datapath.md
 * describes every verdict and counter; xdplb_abi.h is the contract with the
 * control plane.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdplb_abi.h"
#include "parse.h"
#include "csum.h"
#include "flow.h"
#include "encap.h"
#include "icmp.h" /* also <linux/icmp.h>, <linux/icmpv6.h>: see there */

#define XDPLB_MAX_VIPS      64
#define XDPLB_MAX_REALS     4096
#define XDPLB_RING_SIZE     65537
#define XDPLB_MAX_CPUS      64    /* placeholder: the loader sets the possible CPUs */
#define XDPLB_LAST_SEEN_NS  1000000000ULL /* refresh a UDP last_seen at most once a second */

#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

/* Set by the loader before load (prime). */
const volatile __u32 ring_size = XDPLB_RING_SIZE;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct vip_key);
	__type(value, struct vip_meta);
	__uint(max_entries, XDPLB_MAX_VIPS);
} vip2tnl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct ip_addr);
	__type(value, __u32);
	__uint(max_entries, XDPLB_MAX_VIPS);
} vip_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct ip_addr);
	__uint(max_entries, XDPLB_MAX_REALS);
} reals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, XDPLB_MAX_VIPS * 2 * XDPLB_RING_SIZE);
} ring SEC(".maps");

/*
 * One LRU connection table per CPU (xdplb_abi.h). The control plane sizes
 * the outer map to the possible CPUs and creates the inner maps after load;
 * max_entries here is only that of the template libbpf checks them against.
 */
struct conn_table_cpu {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_state);
	__uint(max_entries, 1);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__type(key, __u32);
	__uint(max_entries, XDPLB_MAX_CPUS);
	__array(values, struct conn_table_cpu);
} conn_table SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct flood_state);
	__uint(max_entries, 1);
} flood_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct lb_config);
	__uint(max_entries, 1);
} lb_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct counter);
	__uint(max_entries, XDPLB_MAX_VIPS);
} vip_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct counter);
	__uint(max_entries, XDPLB_MAX_REALS);
} real_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct counter);
	__uint(max_entries, XDPLB_STAT_MAX);
} lb_stats SEC(".maps");

/* What the parser learnt about a packet; offsets from ctx->data. */
struct pkt_desc {
	struct flow_key flow; /* client -> VIP 5-tuple (also the conn_table key) */
	__u32 pkt_len;        /* frame length as received */
	__u32 l3_off;         /* 14, or 18 with an 802.1Q tag */
	__u32 l4_off;         /* after IPv4 options / IPv6 extension headers */
	__u32 l3_len;         /* IPv4 total length / 40 + IPv6 payload length */
	__u8 tos;             /* DSCP+ECN of the packet */
	__u8 tcp_flags;
	__u8 df;              /* IPv4 DF bit set (IPv6: 1) */
	__u8 lco;             /* GUE6 checksum may be derived (see encap.h) */
	__u8 icmp;            /* an ICMP error quoting the flow, to be forwarded */
	__u8 pad[3];
	struct vip_meta vip;  /* the flow's VIP (copied out of vip2tnl) */
};

/*
 * process_*() results besides V(stat, action): forward pd to pd->vip; or a
 * packet whose fate depends on its destination being a VIP address
 * (vip_addrs): dropped (malformed / fragment / too many IPv6 extension
 * headers) if it is, passed (PASS_NOT_VIP) if not.
 */
#define XDPLB_FORWARD   (-1)
#define XDPLB_MALFORMED (-2)
#define XDPLB_FRAGMENT  (-3)
#define XDPLB_TOO_DEEP  (-4)

static __always_inline void count(void *map, __u32 idx, __u32 bytes)
{
	struct counter *c = bpf_map_lookup_elem(map, &idx);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/*
 * Every path ends in one verdict: the XDP action and the lb_stats reason,
 * packed so that balancer() counts it in one place.
 */
#define V(stat, action) (((stat) << 8) | (action))

static __always_inline int is_vip_addr(const struct flow_key *f)
{
	struct ip_addr a = {};
	__u32 *n;

	a.addr[0] = f->dst[0];
	a.addr[1] = f->dst[1];
	a.addr[2] = f->dst[2];
	a.addr[3] = f->dst[3];
	a.family = f->family;
	n = bpf_map_lookup_elem(&vip_addrs, &a);
	return n && *n;
}

static __always_inline struct vip_meta *vip_lookup(const __be32 *addr, __be16 port,
						   __u8 proto, __u8 family)
{
	struct vip_key k = {};
	struct vip_meta *m;

	k.addr[0] = addr[0];
	k.addr[1] = addr[1];
	k.addr[2] = addr[2];
	k.addr[3] = addr[3];
	k.port = port;
	k.proto = proto;
	k.family = family;
	m = bpf_map_lookup_elem(&vip2tnl, &k);
	if (m)
		return m;
	k.port = 0;
	return bpf_map_lookup_elem(&vip2tnl, &k);
}

static __always_inline struct ip_addr *real_lookup(__u32 id)
{
	struct ip_addr *r;

	if (!id)
		return NULL;
	r = bpf_map_lookup_elem(&reals, &id);
	if (!r || (r->family != XDPLB_AF_INET && r->family != XDPLB_AF_INET6))
		return NULL;
	return r;
}

/*
 * Flood mode: counts a new flow on this CPU and says whether this CPU has
 * seen more than cfg->flood_threshold of them in the current second, or the
 * previous second ended so (then the flow is not inserted). *now gets the
 * clock for the entry.
 */
static __always_inline int flood_mode(const struct lb_config *cfg, __u64 *now)
{
	struct flood_state *fs;
	__u32 zero = 0;
	__s64 elapsed;

	*now = bpf_ktime_get_coarse_ns();
	if (!cfg->flood_threshold)
		return 0;
	fs = bpf_map_lookup_elem(&flood_state, &zero);
	if (!fs)
		return 0;
	/* signed: a window start in the future (test, bench) keeps the window open */
	elapsed = *now - fs->window_start_ns;
	if (elapsed >= (__s64)XDPLB_FLOOD_WINDOW_NS) {
		/* a flood that outlasted the window that just ended holds this one from its start */
		fs->flooded = elapsed < 2 * (__s64)XDPLB_FLOOD_WINDOW_NS &&
			      fs->new_flows > cfg->flood_threshold;
		fs->window_start_ns = *now;
		fs->new_flows = 0;
	}
	if (fs->new_flows < 0xffffffff)
		fs->new_flows++;
	return fs->flooded || fs->new_flows > cfg->flood_threshold;
}

/*
 * An entry of this CPU's table that counts: of this VIP, its real still
 * there, and for UDP not idle longer than XDPLB_UDP_TIMEOUT_NS (its
 * last_seen refreshed at most once a second, if may_write). TCP reads no
 * clock: the LRU ages TCP flows out.
 */
static __always_inline struct ip_addr *conn_lookup(void *table, const struct pkt_desc *pd,
						   const struct vip_meta *vip, int may_write,
						   __u32 *real_id)
{
	struct flow_state *st = bpf_map_lookup_elem(table, &pd->flow);
	struct ip_addr *r;
	__u64 now;
	__s64 idle; /* signed: an entry stamped by a clock a tick ahead is fresh */
	__u32 key;

	if (!st || st->vip_id != vip->vip_id)
		return NULL;
	key = st->real_id; /* read once: the entry may change under us */
	r = real_lookup(key);
	if (!r)
		return NULL;
	if (pd->flow.proto == IPPROTO_UDP) {
		now = bpf_ktime_get_coarse_ns();
		idle = now - st->last_seen_ns;
		if (idle > (__s64)XDPLB_UDP_TIMEOUT_NS)
			return NULL;
		/* a forwarded ICMP error (!may_write) writes nothing */
		if (may_write && idle > (__s64)XDPLB_LAST_SEEN_NS)
			st->last_seen_ns = now;
	}
	*real_id = key;
	return r;
}

/*
 * Real selection. This CPU's connection table first (unless NO_CONNTRACK;
 * never for a TCP SYN); else the VIP's live ring at flow_hash() % ring_size,
 * and the choice is written to this CPU's table if may_write and the CPU is
 * not in flood mode. *real_id gets the id.
 */
static __always_inline struct ip_addr *select_real(const struct pkt_desc *pd,
						   const struct vip_meta *vip,
						   const struct lb_config *cfg,
						   int may_write, __u32 *real_id)
{
	void *table = NULL;
	struct ip_addr *r;
	__u64 idx, now;
	__u32 key, *rid;

	if (!(vip->flags & XDPLB_VIP_NO_CONNTRACK)) {
		key = bpf_get_smp_processor_id();
		table = bpf_map_lookup_elem(&conn_table, &key);
	}
	if (table && !(pd->flow.proto == IPPROTO_TCP &&
		       (pd->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN)) {
		r = conn_lookup(table, pd, vip, may_write, real_id);
		if (r) {
			count(&lb_stats, XDPLB_STAT_CONN_HIT, pd->pkt_len);
			return r;
		}
		count(&lb_stats, XDPLB_STAT_CONN_MISS, pd->pkt_len);
	}

	if (!ring_size)
		return NULL;
	idx = ((__u64)vip->vip_id * 2 + (vip->ring_slot & 1)) * ring_size +
	      flow_hash(&pd->flow, vip->flags) % ring_size;
	if (idx > 0xffffffffULL)
		return NULL;
	key = idx;
	rid = bpf_map_lookup_elem(&ring, &key);
	if (!rid)
		return NULL;
	key = *rid;
	r = real_lookup(key);
	if (!r)
		return NULL;
	count(&lb_stats, XDPLB_STAT_RING_USED, pd->pkt_len);
	if (table && may_write) {
		if (flood_mode(cfg, &now)) {
			count(&lb_stats, XDPLB_STAT_FLOOD_BYPASS, pd->pkt_len);
		} else {
			struct flow_state ns = {
				.real_id = key,
				.vip_id = vip->vip_id,
				.last_seen_ns = now,
			};
			bpf_map_update_elem(table, &pd->flow, &ns, BPF_ANY);
		}
	}
	*real_id = key;
	return r;
}

static __always_inline int mac_is_zero(const __u8 *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

/*
 * Forward a packet of a VIP flow: pick the real, check the MTU, encapsulate,
 * rewrite L2, send. pd->icmp: the packet is an ICMP error for the flow
 * pd->flow (no conn_table write, no MTU check, counted ICMP_FORWARDED).
 */
static __always_inline int lb_forward(struct xdp_md *ctx, struct pkt_desc *pd)
{
	const struct vip_meta *vip = &pd->vip;
	int icmp = pd->icmp;
	void *data, *data_end;
	struct lb_config *cfg;
	struct ip_addr *real;
	struct ethhdr *eth;
	__u32 zero = 0, real_id = 0, entropy, vip_id, overhead;
	__u32 inner_len = pd->l3_len;
	__u32 l3_off = pd->l3_off & 0x1f; /* 14 or 18; the mask bounds it for the verifier */
	__be32 daddr[4];
	__u16 vlan_tci = 0;
	__u64 psum = 0;
	__u8 encap = vip->encap, outer6, gue;

	cfg = bpf_map_lookup_elem(&lb_config, &zero);
	if (!cfg || (!cfg->src4 && !(cfg->src6[0] | cfg->src6[1] | cfg->src6[2] | cfg->src6[3])) ||
	    mac_is_zero(cfg->dst_mac))
		return V(XDPLB_STAT_DROP_NO_CONFIG, XDP_DROP);
	if (encap > XDPLB_ENCAP_GUE)
		return V(XDPLB_STAT_DROP_UNSUPPORTED, XDP_DROP);
	gue = encap == XDPLB_ENCAP_GUE;
	if (gue && !cfg->gue_port)
		return V(XDPLB_STAT_DROP_NO_CONFIG, XDP_DROP);

	vip_id = vip->vip_id;
	real = select_real(pd, vip, cfg, !icmp, &real_id);
	if (!real)
		return V(XDPLB_STAT_DROP_NO_REAL, XDP_DROP);
	outer6 = real->family == XDPLB_AF_INET6;
	daddr[0] = real->addr[0];
	daddr[1] = real->addr[1];
	daddr[2] = real->addr[2];
	daddr[3] = real->addr[3];

	if (!gue && !outer6 && pd->flow.family == XDPLB_AF_INET6)
		return V(XDPLB_STAT_DROP_UNSUPPORTED, XDP_DROP); /* IPIP 6in4 */
	if (outer6 ? !(cfg->src6[0] | cfg->src6[1] | cfg->src6[2] | cfg->src6[3]) : !cfg->src4)
		return V(XDPLB_STAT_DROP_NO_CONFIG, XDP_DROP);
	overhead = (outer6 ? XDPLB_IPV6_HLEN : XDPLB_IPV4_HLEN) + (gue ? XDPLB_UDP_HLEN : 0);

	/* Too big for the egress link and not to be fragmented: tell the client. */
	if (!icmp && cfg->mtu > overhead && inner_len + overhead > cfg->mtu && pd->df) {
		int r;

		if (pd->flow.family == XDPLB_AF_INET)
			r = icmp4_send_too_big(ctx, l3_off, inner_len, cfg->mtu - overhead);
		else
			r = icmp6_send_too_big(ctx, l3_off, inner_len, cfg->mtu - overhead);
		if (r)
			return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
		return V(XDPLB_STAT_TOO_BIG_SENT, XDP_TX);
	}

	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	if (l3_off != 14 && l3_off != 18)
		return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
	if (l3_off == 18) {
		struct vlan_hdr *vh = data + sizeof(struct ethhdr);

		if ((void *)(vh + 1) > data_end)
			return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
		vlan_tci = vh->h_vlan_TCI;
	}

	/* GUE over IPv6: the UDP payload's sum, taken before the headroom moves. */
	if (gue && outer6) {
		void *l3 = data + l3_off;

		if (pd->lco && pd->flow.family == XDPLB_AF_INET) {
			if (l3 + sizeof(struct iphdr) > data_end)
				return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
			psum = inner4_lco_sum(l3, pd->flow.proto, inner_len - sizeof(struct iphdr));
		} else if (pd->lco) {
			if (l3 + sizeof(struct ipv6hdr) > data_end)
				return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
			psum = inner6_lco_sum(l3, pd->flow.proto, inner_len - sizeof(struct ipv6hdr));
		} else {
			__s64 s = xdplb_csum_range(ctx, l3_off, inner_len);

			if (s < 0)
				return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
			psum = s;
		}
	}

	if (bpf_xdp_adjust_head(ctx, -(int)overhead))
		return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;

	eth = data;
	if ((void *)(eth + 1) > data_end)
		return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
	__builtin_memcpy(eth->h_dest, cfg->dst_mac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, cfg->src_mac, ETH_ALEN);
	if (l3_off == 18) {
		struct vlan_hdr *vh = (void *)(eth + 1);

		if ((void *)(vh + 1) > data_end)
			return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
		eth->h_proto = bpf_htons(ETH_P_8021Q);
		vh->h_vlan_TCI = vlan_tci;
		vh->h_vlan_encapsulated_proto = bpf_htons(outer6 ? ETH_P_IPV6 : ETH_P_IP);
	} else {
		eth->h_proto = bpf_htons(outer6 ? ETH_P_IPV6 : ETH_P_IP);
	}

	entropy = flow_entropy(&pd->flow);
	if (outer6) {
		void *o6 = data + l3_off;

		if (o6 + XDPLB_IPV6_HLEN + XDPLB_UDP_HLEN > data_end)
			return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
		encap_outer6(o6, pd->tos, inner_len, pd->flow.family, gue, cfg->src6,
			     daddr, entropy, cfg->gue_port, psum);
	} else {
		void *o4 = data + l3_off;

		if (o4 + XDPLB_IPV4_HLEN + XDPLB_UDP_HLEN > data_end)
			return V(XDPLB_STAT_DROP_ENCAP_FAILED, XDP_DROP);
		encap_outer4(o4, pd->tos, inner_len, pd->flow.family, gue, cfg->src4,
			     daddr[0], entropy, cfg->gue_port);
	}

	count(&vip_stats, vip_id, pd->pkt_len);
	count(&real_stats, real_id, pd->pkt_len);
	if (icmp)
		count(&lb_stats, XDPLB_STAT_ICMP_FORWARDED, pd->pkt_len);
	if (!cfg->egress_ifindex || cfg->egress_ifindex == ctx->ingress_ifindex)
		return V(XDPLB_STAT_TX, XDP_TX);
	return V(XDPLB_STAT_REDIRECT, bpf_redirect(cfg->egress_ifindex, 0));
}

/* TCP / UDP: header checks, VIP lookup, forward. */
static __always_inline int process_l4(struct xdp_md *ctx, struct pkt_desc *pd, int simple_l3)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 l4_len = pd->l3_len - (pd->l4_off - pd->l3_off);
	struct vip_meta *vip;
	void *l4;

	if (pd->l4_off > XDPLB_PARSE_MAX_OFF)
		return XDPLB_MALFORMED;
	l4 = data + pd->l4_off;
	if (pd->flow.proto == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		__u32 doff;

		if ((void *)(th + 1) > data_end || l4_len < sizeof(*th))
			return XDPLB_MALFORMED;
		doff = th->doff * 4;
		if (doff < sizeof(*th) || doff > l4_len)
			return XDPLB_MALFORMED;
		pd->flow.sport = th->source;
		pd->flow.dport = th->dest;
		pd->tcp_flags = ((__u8 *)th)[13];
		pd->lco = simple_l3;
	} else {
		struct udphdr *uh = l4;
		__u32 ulen;

		if ((void *)(uh + 1) > data_end || l4_len < sizeof(*uh))
			return XDPLB_MALFORMED;
		ulen = bpf_ntohs(uh->len);
		if (ulen < sizeof(*uh) || ulen > l4_len)
			return XDPLB_MALFORMED;
		pd->flow.sport = uh->source;
		pd->flow.dport = uh->dest;
		pd->lco = simple_l3 && uh->check && ulen == l4_len;
	}

	vip = vip_lookup(pd->flow.dst, pd->flow.dport, pd->flow.proto, pd->flow.family);
	if (!vip)
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
	pd->vip = *vip;
	return XDPLB_FORWARD;
}

/* ICMP error quoting a VIP flow: look the VIP up by the quoted source. */
static __always_inline int forward_icmp_error(struct xdp_md *ctx, struct pkt_desc *pd,
					      int qres, struct flow_key *fk)
{
	struct vip_meta *vip;

	if (qres == XDPLB_QF_TRUNC)
		return V(XDPLB_STAT_DROP_MALFORMED, XDP_DROP);
	if (qres != XDPLB_QF_OK)
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
	vip = vip_lookup(fk->dst, fk->dport, fk->proto, fk->family);
	if (!vip)
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
	pd->flow = *fk;
	pd->tcp_flags = 0;
	pd->lco = 0;
	pd->icmp = 1;
	pd->vip = *vip;
	return XDPLB_FORWARD;
}

static __always_inline int process_icmp4(struct xdp_md *ctx, struct pkt_desc *pd)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct icmphdr *ic;
	struct flow_key fk = {};

	if (!is_vip_addr(&pd->flow))
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
	if (pd->l4_off > 18 + 60)
		return V(XDPLB_STAT_DROP_MALFORMED, XDP_DROP);
	ic = data + pd->l4_off;
	if ((void *)(ic + 1) > data_end ||
	    pd->l3_len < pd->l4_off - pd->l3_off + sizeof(*ic))
		return V(XDPLB_STAT_DROP_MALFORMED, XDP_DROP);

	if (ic->type == ICMP_ECHO) {
		if (icmp4_echo_reply(data, data_end, pd->l3_off, pd->l4_off))
			return V(XDPLB_STAT_DROP_MALFORMED, XDP_DROP);
		return V(XDPLB_STAT_ICMP_ECHO_REPLY, XDP_TX);
	}
	if (ic->type == ICMP_DEST_UNREACH && ic->code == ICMP_FRAG_NEEDED)
		return forward_icmp_error(ctx, pd,
					  icmp4_quoted_flow(data, data_end,
							    pd->l4_off + sizeof(*ic),
							    pd->l3_off + pd->l3_len, &fk),
					  &fk);
	return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
}

static __always_inline int process_icmp6(struct xdp_md *ctx, struct pkt_desc *pd,
					 int simple_l3)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct icmp6hdr *ic;
	struct flow_key fk = {};
	__u8 type;

	if (pd->l4_off > XDPLB_PARSE_MAX_OFF)
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
	ic = data + pd->l4_off;
	if ((void *)(ic + 1) > data_end ||
	    pd->l3_len < pd->l4_off - pd->l3_off + sizeof(*ic))
		return XDPLB_MALFORMED;
	type = ic->icmp6_type;
	/* ND and every other ICMPv6 message belong to the kernel. */
	if ((type != ICMPV6_ECHO_REQUEST && type != ICMPV6_PKT_TOOBIG) ||
	    !is_vip_addr(&pd->flow))
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);

	if (type == ICMPV6_ECHO_REQUEST) {
		if (!simple_l3)
			return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
		if (icmp6_echo_reply(data, data_end, pd->l3_off, pd->l4_off))
			return V(XDPLB_STAT_DROP_MALFORMED, XDP_DROP);
		return V(XDPLB_STAT_ICMP_ECHO_REPLY, XDP_TX);
	}
	return forward_icmp_error(ctx, pd,
				  icmp6_quoted_flow(data, data_end,
						    pd->l4_off + sizeof(*ic),
						    pd->l3_off + pd->l3_len, &fk),
				  &fk);
}

static __always_inline int process_ipv4(struct xdp_md *ctx, struct pkt_desc *pd)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct iphdr *iph;
	__u32 hlen, tot;

	if (pd->l3_off != 14 && pd->l3_off != 18)
		return V(XDPLB_STAT_PASS_NOT_IP, XDP_PASS);
	iph = data + pd->l3_off;
	if ((void *)(iph + 1) > data_end)
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
	pd->flow.family = XDPLB_AF_INET;
	pd->flow.src[0] = iph->saddr;
	pd->flow.dst[0] = iph->daddr;

	hlen = iph->ihl * 4;
	tot = bpf_ntohs(iph->tot_len);
	if (iph->version != 4 || hlen < sizeof(*iph) || tot < hlen ||
	    pd->l3_off + tot > pd->pkt_len)
		return XDPLB_MALFORMED;
	if (iph->frag_off & bpf_htons(XDPLB_IP_MF | XDPLB_IP_OFFSET))
		return XDPLB_FRAGMENT;

	pd->l3_len = tot;
	pd->l4_off = pd->l3_off + hlen;
	pd->tos = iph->tos;
	pd->df = !!(iph->frag_off & bpf_htons(XDPLB_IP_DF));
	pd->flow.proto = iph->protocol;
	if (iph->protocol == IPPROTO_TCP || iph->protocol == IPPROTO_UDP)
		return process_l4(ctx, pd, hlen == sizeof(*iph));
	if (iph->protocol == IPPROTO_ICMP)
		return process_icmp4(ctx, pd);
	return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
}

static __always_inline int process_ipv6(struct xdp_md *ctx, struct pkt_desc *pd)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6;
	__u32 off, end;
	__u8 nh;
	int r;

	if (pd->l3_off != 14 && pd->l3_off != 18)
		return V(XDPLB_STAT_PASS_NOT_IP, XDP_PASS);
	ip6 = data + pd->l3_off;
	if ((void *)(ip6 + 1) > data_end)
		return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
	pd->flow.family = XDPLB_AF_INET6;
	__builtin_memcpy(pd->flow.src, &ip6->saddr, 16);
	__builtin_memcpy(pd->flow.dst, &ip6->daddr, 16);

	off = pd->l3_off + sizeof(*ip6);
	end = off + bpf_ntohs(ip6->payload_len);
	if (ip6->version != 6 || end > pd->pkt_len)
		return XDPLB_MALFORMED;
	pd->l3_len = end - pd->l3_off;
	pd->tos = ipv6_tclass(ip6);
	pd->df = 1;
	nh = ip6->nexthdr;
	r = ipv6_skip_ext(data, data_end, &off, end, &nh);
	if (r == XDPLB_PARSE_FRAG)
		return XDPLB_FRAGMENT;
	if (r == XDPLB_PARSE_TRUNC)
		return XDPLB_MALFORMED;
	if (r == XDPLB_PARSE_TOO_DEEP)
		return XDPLB_TOO_DEEP;
	pd->l4_off = off;
	pd->flow.proto = nh;
	if (nh == IPPROTO_TCP || nh == IPPROTO_UDP)
		return process_l4(ctx, pd, off == pd->l3_off + sizeof(*ip6));
	if (nh == IPPROTO_ICMPV6)
		return process_icmp6(ctx, pd, off == pd->l3_off + sizeof(*ip6));
	return V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
}

SEC("xdp")
int balancer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct pkt_desc pd;
	__be16 proto;
	int ret;

	__builtin_memset(&pd, 0, sizeof(pd));
	pd.pkt_len = data_end - data;
	if (parse_eth(data, data_end, &pd.l3_off, &proto))
		ret = V(XDPLB_STAT_PASS_NOT_IP, XDP_PASS);
	else if (proto == bpf_htons(ETH_P_IP))
		ret = process_ipv4(ctx, &pd);
	else if (proto == bpf_htons(ETH_P_IPV6))
		ret = process_ipv6(ctx, &pd);
	else
		ret = V(XDPLB_STAT_PASS_NOT_IP, XDP_PASS);
	if (ret == XDPLB_FORWARD) {
		ret = lb_forward(ctx, &pd);
	} else if (ret < 0) {
		if (!is_vip_addr(&pd.flow))
			ret = V(XDPLB_STAT_PASS_NOT_VIP, XDP_PASS);
		else if (ret == XDPLB_MALFORMED)
			ret = V(XDPLB_STAT_DROP_MALFORMED, XDP_DROP);
		else if (ret == XDPLB_FRAGMENT)
			ret = V(XDPLB_STAT_DROP_FRAGMENT, XDP_DROP);
		else
			ret = V(XDPLB_STAT_DROP_UNSUPPORTED, XDP_DROP);
	}
	count(&lb_stats, (__u32)ret >> 8, pd.pkt_len);
	return ret & 0xff;
}

/* Keeps enum xdplb_stat in the object's BTF, so the control plane names the counters from it. */
const enum xdplb_stat xdplb_stat_names __attribute__((unused)) = XDPLB_STAT_MAX;
/*
 * Keep the connection table's key and value whole in the BTF: the inner map's
 * definition only points at them, which clang emits as forward declarations,
 * and libbpf needs their sizes (the control plane checks their layouts too).
 */
const struct flow_key xdplb_btf_flow_key __attribute__((unused)) = {};
const struct flow_state xdplb_btf_flow_state __attribute__((unused)) = {};

char LICENSE[] SEC("license") = "Dual BSD/GPL";
