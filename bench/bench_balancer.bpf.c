// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The director program under the bench wrapper (bench only).
 *
 * bpf/balancer.bpf.c is compiled here unchanged except for its entry point:
 * the macro below turns `SEC("xdp") int balancer(struct xdp_md *ctx)` into a
 * declaration that is never defined (which takes the SEC) followed by the
 * definition of the global, not inlined function balancer_inner(), which the
 * wrapper wrap_balancer calls. Maps, helpers and every line of the program
 * are those of bpf/balancer.bpf.c.
 */
#define balancer(args) bench_unused_balancer(args); __attribute__((noinline)) int balancer_inner(args)
#include "../bpf/balancer.bpf.c"
#undef balancer

#include "bench_wrap.h"

BENCH_WRAP(wrap_balancer, 0, balancer_inner)
