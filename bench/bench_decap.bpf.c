// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The real server's decap program under the bench wrapper (bench only): see
 * bench_balancer.bpf.c; bpf/decap.bpf.c is compiled unchanged except that its
 * entry point becomes the global function decap_inner().
 */
#define decap(args) bench_unused_decap(args); __attribute__((noinline)) int decap_inner(args)
#include "../bpf/decap.bpf.c"
#undef decap

#include "bench_wrap.h"

BENCH_WRAP(wrap_decap, 0, decap_inner)
