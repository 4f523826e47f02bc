/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one ABI header: every struct a BPF map uses as key or value, every
 * enum the control plane needs to name. The Java control plane mirrors these
 * structs with MemoryLayouts and checks them against the object's BTF when it
 * loads the object, so a change here that Java does not follow fails loudly.
 *
 * Conventions:
 *  - addresses and ports are stored in network byte order (as on the wire);
 *    an IPv4 address lives in addr[0], addr[1..3] are zero;
 *  - family is AF_INET (2) or AF_INET6 (10);
 *  - every struct is padded explicitly, no implicit holes.
 */
#ifndef XDPLB_ABI_H
#define XDPLB_ABI_H

#include <linux/types.h>

#define XDPLB_AF_INET  2
#define XDPLB_AF_INET6 10

/* Encapsulation kinds (vip_meta.encap). */
enum xdplb_encap {
	XDPLB_ENCAP_IPIP = 0, /* 4in4, 6in6, 4in6 (IPPROTO_IPIP / IPPROTO_IPV6) */
	XDPLB_ENCAP_GUE = 1,  /* GUE variant 1: UDP, then the inner IP packet */
};

/* Per-VIP flags (vip_meta.flags). */
enum xdplb_vip_flag {
	XDPLB_VIP_NO_SPORT = 1 << 0,     /* hash without the source port */
	XDPLB_VIP_NO_CONNTRACK = 1 << 1, /* never read or write the connection table */
	XDPLB_VIP_DPORT_ONLY = 1 << 2,   /* hash on the destination port only */
};

/* An address of either family. Key of vip_addrs and decap_addrs, value of reals. */
struct ip_addr {
	__be32 addr[4];
	__u8 family;
	__u8 pad[3];
}; /* 20 bytes */

/* vip2tnl key. port 0 = every port of the address (exact match is tried first). */
struct vip_key {
	__be32 addr[4];
	__be16 port;
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;
}; /* 20 bytes */

/* vip2tnl value. */
struct vip_meta {
	__u32 vip_id;   /* index into vip_stats and the ring */
	__u32 flags;    /* enum xdplb_vip_flag */
	__u8 encap;     /* enum xdplb_encap */
	__u8 ring_slot; /* 0 or 1: which of the VIP's two rings is live */
	__u16 pad;
}; /* 12 bytes */

/*
 * ring: BPF_MAP_TYPE_ARRAY of __u32 real ids, max_vips * 2 * ring_size entries.
 * The live ring of a VIP starts at (vip_id * 2 + ring_slot) * ring_size.
 * The control plane writes the idle slot, then flips ring_slot with one
 * vip2tnl update, so the data path never sees a half-written ring.
 * Real id 0 means "no real" (an empty ring: the packet is dropped and counted).
 */

/*
 * conn_table: BPF_MAP_TYPE_ARRAY_OF_MAPS with one entry per possible CPU,
 * indexed by bpf_get_smp_processor_id(); each entry is that CPU's own
 * BPF_MAP_TYPE_LRU_HASH (flow_key -> flow_state, --conn-table-size entries
 * per CPU), created by the control plane when it loads the program. A CPU
 * only ever reads and writes its own table, so CPUs never contend for the
 * LRU lists, and a flood on one CPU cannot evict another CPU's flows.
 */

/* Key of a CPU's connection table: the 5-tuple as the client sent it. */
struct flow_key {
	__be32 src[4];
	__be32 dst[4];
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u16 pad;
}; /* 40 bytes */

/* Value of a CPU's connection table. */
struct flow_state {
	__u32 real_id;
	__u32 vip_id;
	/*
	 * bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC). TCP: when the entry was
	 * written (a hit reads no clock; the LRU ages TCP flows out). UDP: the
	 * last packet, refreshed at most once a second; an entry idle for more
	 * than XDPLB_UDP_TIMEOUT_NS no longer counts.
	 */
	__u64 last_seen_ns;
}; /* 16 bytes */

#define XDPLB_UDP_TIMEOUT_NS 30000000000ULL /* 30 s, as katran */

/*
 * flood_state: BPF_MAP_TYPE_PERCPU_ARRAY, one entry: this CPU's count of new
 * flows (ring choices it would insert) in the current one-second window.
 * Above lb_config.flood_threshold the CPU is in flood mode for the rest of
 * the window: new flows still get their real from the ring but are not
 * inserted (counted FLOOD_BYPASS), so a SYN flood cannot evict established
 * flows. A window that ended over the threshold puts the next window (if it
 * follows within a second) in flood mode from its start, so a sustained
 * flood inserts at most one threshold's worth of flows. A window_start_ns in
 * the future keeps the window open (only a test or the bench writes one).
 */
struct flood_state {
	__u64 window_start_ns;
	__u32 new_flows; /* counted in this window, bypassed ones included */
	__u32 flooded;   /* 1: the previous window ended over the threshold */
}; /* 16 bytes */

#define XDPLB_FLOOD_WINDOW_NS 1000000000ULL
#define XDPLB_FLOOD_THRESHOLD_DEFAULT 125000 /* new flows per second per CPU, as katran's MAX_CONN_RATE */

/* lb_config: array, one entry, written by `xdplb attach`. */
struct lb_config {
	__u32 egress_ifindex; /* 0: XDP_TX out of the ingress interface; else bpf_redirect there */
	__u8 src_mac[6];      /* MAC of the egress interface */
	__u8 dst_mac[6];      /* MAC of the next hop (gateway) */
	__be32 src4;          /* outer source address for IPv4 tunnels */
	__be32 src6[4];       /* outer source address for IPv6 tunnels */
	__be16 gue_port;      /* GUE destination port, e.g. htons(6080) */
	__u16 mtu;            /* largest L3 packet the egress link carries, e.g. 1500 */
	__u32 flood_threshold; /* new flows per second per CPU above which none is inserted; 0: no limit */
}; /* 44 bytes */

/* Value of vip_stats (by vip id), real_stats (by real id) and lb_stats (by enum xdplb_stat); all per-CPU arrays. */
struct counter {
	__u64 packets;
	__u64 bytes;
};

/* Global verdict/reason counters of the balancer: index of lb_stats. */
enum xdplb_stat {
	XDPLB_STAT_PASS_NOT_IP = 0,     /* not IPv4/IPv6 (ARP, LLDP, ...) */
	XDPLB_STAT_PASS_NOT_VIP,        /* IP, but not for a VIP (incl. ND, other protocols) */
	XDPLB_STAT_TX,                  /* encapsulated, XDP_TX */
	XDPLB_STAT_REDIRECT,            /* encapsulated, bpf_redirect */
	XDPLB_STAT_DROP_MALFORMED,      /* for a VIP but truncated or malformed */
	XDPLB_STAT_DROP_FRAGMENT,       /* IPv4 fragment or IPv6 fragment header to a VIP */
	XDPLB_STAT_DROP_NO_REAL,        /* the VIP's ring is empty */
	XDPLB_STAT_DROP_NO_CONFIG,      /* lb_config not set (no source address, MACs) */
	XDPLB_STAT_DROP_ENCAP_FAILED,   /* bpf_xdp_adjust_head failed */
	XDPLB_STAT_DROP_UNSUPPORTED,    /* VIP address, but a protocol we do not balance */
	XDPLB_STAT_CONN_HIT,            /* connection table hit */
	XDPLB_STAT_CONN_MISS,           /* connection table miss */
	XDPLB_STAT_RING_USED,           /* real chosen from the Maglev ring */
	XDPLB_STAT_ICMP_ECHO_REPLY,     /* echo request to a VIP address answered */
	XDPLB_STAT_ICMP_FORWARDED,      /* frag-needed / packet-too-big forwarded to the flow's real */
	XDPLB_STAT_TOO_BIG_SENT,        /* encapsulated packet too big: ICMP sent back to the client */
	XDPLB_STAT_FLOOD_BYPASS,        /* new flow not inserted: its CPU is in flood mode (the ring chose the real) */
	XDPLB_STAT_MAX,
};

/* decap_config: array, one entry, written by `xdplb realserver setup`. */
struct decap_config {
	__be16 gue_port; /* GUE port accepted, e.g. htons(6080) */
	__u16 pad;
	__u32 flags;     /* reserved, 0 */
}; /* 8 bytes */

/* Counters of the real-server program: index of decap_stats. */
enum xdplb_decap_stat {
	XDPLB_DECAP_PASS_OTHER = 0,   /* not a tunnel packet for us: passed untouched */
	XDPLB_DECAP_IPIP4,            /* IPv4 in IPv4 stripped */
	XDPLB_DECAP_IPIP6,            /* IPv6 in IPv6 stripped */
	XDPLB_DECAP_IP4_IN_IP6,       /* IPv4 in IPv6 stripped */
	XDPLB_DECAP_IP6_IN_IP4,       /* IPv6 in IPv4 (GUE only) stripped */
	XDPLB_DECAP_GUE,              /* GUE stripped (counted in addition to the family pair) */
	XDPLB_DECAP_DROP_MALFORMED,   /* tunnel packet for us, but truncated or malformed */
	XDPLB_DECAP_STAT_MAX,
};

/*
 * Health checks through the tunnel (bpf/healthcheck.bpf.c, tc egress of the director).
 * The agent marks each probe socket with SO_MARK = XDPLB_HC_MARK_BASE | index; hc_targets
 * maps that mark to the real and the VIP's encapsulation; hc_config is a copy of the
 * director's lb_config (addresses, MACs, GUE port).
 */
#define XDPLB_HC_MARK_BASE 0x584c0000U /* "XL" in the high 16 bits */
#define XDPLB_HC_MARK_MASK 0xffff0000U

/* hc_targets value (key: the probe's mark). */
struct hc_target {
	struct ip_addr real; /* tunnel destination */
	__u8 encap;          /* enum xdplb_encap of the VIP */
	__u8 pad[3];
	__u32 flags;         /* the VIP's enum xdplb_vip_flag (for the flow hash) */
}; /* 28 bytes */

/* Counters of the health-check program: index of hc_stats. */
enum xdplb_hc_stat {
	XDPLB_HC_ENCAPPED = 0,     /* probe packet encapsulated to its real */
	XDPLB_HC_NO_TARGET,        /* marked like a probe, but no such mark: dropped */
	XDPLB_HC_DROP_MALFORMED,   /* a probe packet we could not parse: dropped */
	XDPLB_HC_DROP_ENCAP_FAILED,/* no room or no source address for the tunnel: dropped */
	XDPLB_HC_STAT_MAX,
};

#endif /* XDPLB_ABI_H */
