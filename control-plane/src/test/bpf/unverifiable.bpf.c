// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Test fixture: reads the packet without a bounds check, which the verifier must refuse. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int unverifiable(struct xdp_md *ctx)
{
	unsigned char *data = (unsigned char *)(long)ctx->data;

	return data[20] == 1 ? XDP_DROP : XDP_PASS; /* no check against data_end */
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
