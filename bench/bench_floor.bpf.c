// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The floor of the per-packet benchmarks (bench only): the least an XDP
 * program can do, the least a program that sends a frame back out can do, and
 * the least a program that encapsulates can do. The balancer's costs are
 * reported against floor_encap. Each is a global, not inlined function run
 * through the same wrapper as the balancer (bench_wrap.h); floor_pass and
 * floor_swap are also run bare, as programs of their own, which gives the
 * wrapper's own cost.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "bench_wrap.h"

/*
 * XDP_PASS, nothing else. The empty asm (no instruction) keeps the compiler
 * from folding the call away and makes the caller pass ctx as it must.
 */
__attribute__((noinline)) int floor_pass(struct xdp_md *ctx)
{
	int r = XDP_PASS;

	asm volatile("" : "+r"(r) : "r"(ctx));
	return r;
}

static __always_inline int swap_macs(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 tmp[ETH_ALEN];

	if ((void *)(eth + 1) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP) && eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_PASS;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return XDP_TX;
}

/* Parse Ethernet, swap the MACs, send the frame back. */
__attribute__((noinline)) int floor_swap(struct xdp_md *ctx)
{
	return swap_macs(ctx);
}

/*
 * Minimal IPIP (4in4): read the inner IPv4 header's length and TOS, make room
 * for 20 bytes, write the MACs and an outer IPv4 header with its checksum,
 * send. Fixed addresses and MACs: no lookups, no choices.
 */
__attribute__((noinline)) int floor_encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *in = data + sizeof(*eth), *out;
	__u16 tot;
	__u8 tos;
	__u32 sum = 0;
	__u16 *w;
	int i;

	if ((void *)(in + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	tot = bpf_ntohs(in->tot_len);
	tos = in->tos;

	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	out = data + sizeof(*eth);
	if ((void *)(out + 1) > data_end)
		return XDP_DROP;

	eth->h_dest[0] = 0x02; eth->h_dest[1] = 0x00; eth->h_dest[2] = 0x5e;
	eth->h_dest[3] = 0x00; eth->h_dest[4] = 0x00; eth->h_dest[5] = 0x02;
	eth->h_source[0] = 0x02; eth->h_source[1] = 0x00; eth->h_source[2] = 0x5e;
	eth->h_source[3] = 0x00; eth->h_source[4] = 0x00; eth->h_source[5] = 0x01;
	eth->h_proto = bpf_htons(ETH_P_IP);

	out->version = 4;
	out->ihl = 5;
	out->tos = tos;
	out->tot_len = bpf_htons(tot + sizeof(struct iphdr));
	out->id = 0;
	out->frag_off = bpf_htons(0x4000);
	out->ttl = 64;
	out->protocol = IPPROTO_IPIP;
	out->check = 0;
	out->saddr = bpf_htonl(0xc6336401); /* 198.51.100.1 */
	out->daddr = bpf_htonl(0xc6336402); /* 198.51.100.2 */

	w = (__u16 *)out;
#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	out->check = ~sum;
	return XDP_TX;
}

BENCH_WRAP(wrap_pass, 0, floor_pass)
BENCH_WRAP(wrap_swap, 1, floor_swap)
BENCH_WRAP(wrap_encap, 2, floor_encap)

/* The same, bare: no wrapper, no call. */
SEC("xdp")
int bare_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int bare_swap(struct xdp_md *ctx)
{
	return swap_macs(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
