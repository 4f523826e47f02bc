// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * gen: the live traffic generator of `make bench` (bench only), in the manner
 * of xdp-trafficgen. It is run with bpf_prog_test_run_opts and
 * BPF_F_TEST_XDP_LIVE_FRAMES on a template UDP frame: every run's frame really
 * goes out of the interface given as the run's ingress_ifindex (XDP_TX in that
 * mode is a redirect back out of that interface).
 *
 * The kernel recycles the frames' pages without restoring their contents, and
 * whatever handled a frame last (the balancer's encapsulation, the decap's
 * strip, the kernel's forwarding) has rewritten its first bytes. So every run
 * writes the headers again from hdr (Ethernet, IPv4, UDP: set by the loader),
 * then the next of `flows` source ports, so the director sees that many
 * flows. The template is UDP or TCP (the SYN flood and the established flows
 * of the flood scenario); random_src: every frame from a random source
 * (203.0.113.128-255, a random port), a new flow each.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define HDR_WORDS 7 /* 56 bytes: Ethernet 14 + IPv4 20 + TCP 20 (or UDP 8), rounded up */

const volatile __u64 hdr[HDR_WORDS];
const volatile __u32 flows = 1024;
const volatile __u32 sport_base = 10000;
const volatile __u32 random_src = 0;

__u32 sent = 0;

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *w = data;
	struct udphdr *udp = data + sizeof(struct ethhdr) + sizeof(struct iphdr);
	__u32 n = sent++;

	if (data + HDR_WORDS * 8 > data_end)
		return XDP_DROP;
	w[0] = hdr[0];
	w[1] = hdr[1];
	w[2] = hdr[2];
	w[3] = hdr[3];
	w[4] = hdr[4];
	w[5] = hdr[5];
	w[6] = hdr[6];
	/*
	 * The UDP checksum is 0 (none, IPv4), so the port can change freely; the
	 * TCP checksum is not kept right (the balancer does not check it, the
	 * real's stack drops these frames early anyway: see live.py).
	 */
	if (random_src) {
		__u32 r = bpf_get_prandom_u32();
		__u8 *saddr = data + sizeof(struct ethhdr) + 12;

		saddr[3] = 128 | (r & 127);
		udp->source = bpf_htons(1 + (r >> 16) % 65535);
	} else {
		udp->source = bpf_htons(sport_base + (flows ? n % flows : 0));
	}
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
