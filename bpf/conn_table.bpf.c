// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * conn_table: one CPU's connection table of the director, an object with a
 * map and no program. The control plane loads it once per possible CPU
 * (sized with --conn-table-size) and stores the map in the balancer's
 * conn_table array of maps at that CPU's index (xdplb_abi.h); closing the
 * object leaves the map alive, held by the array. Key, value and flags
 * must be those of struct conn_table_cpu in balancer.bpf.c, or the kernel
 * refuses the map as an inner map.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xdplb_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct flow_key);
	__type(value, struct flow_state);
	__uint(max_entries, 65536);
} conn_table_cpu SEC(".maps");

char LICENSE[] SEC("license") = "Dual BSD/GPL";
