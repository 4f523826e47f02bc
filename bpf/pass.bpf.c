// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * pass: lets every frame through.
 *
 * A veth only delivers frames that an XDP program sent with XDP_TX or
 * bpf_redirect if the receiving peer has an XDP program of its own; without
 * one they are dropped silently. `xdplb pass attach` puts this program on
 * such peers.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
