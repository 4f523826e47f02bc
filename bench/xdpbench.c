// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdpbench: the data-path half of `make bench` (bench only; scripts/bench.sh
 * builds and runs it).
 *
 *   xdpbench kernel [--rounds R] [--ms MS] --out FILE
 *       per-packet cost of the balancer, the decap program and the floor
 *       programs with bpf_prog_test_run_opts (see bench_wrap.bpf.c for why
 *       every program runs inside a wrapper), outputs verified; JSON to FILE.
 *   xdpbench gen --netns NS --iface IF --dst-mac MAC --src IP --dst IP
 *                --dport N [--flows N] [--frames N] [--cpu N] [--size N]
 *       live traffic: BPF_F_TEST_XDP_LIVE_FRAMES, frames sent out of IF
 *       (in NS) as fast as one core can; prints {"frames":..,"ns":..}.
 *   xdpbench counters PIN...
 *       per-CPU counter maps (struct counter) summed over CPUs, as JSON.
 *
 * Object files are read from build/bench (scripts/bench.sh compiles the
 * bench's BPF sources there; the programs under test are compiled into them
 * from bpf/, see bench/bench_balancer.bpf.c); -b DIR changes that. The
 * objects of `make build` (build/bpf, -B DIR) are loaded only to compare
 * their JIT images with the bench's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpf/btf.h>

#include "xdplb_abi.h"
#include "bench_wrap.h"

static const char *bench_dir = "build/bench";
static const char *bpf_dir = "build/bpf";
static int ncpus;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "xdpbench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !getenv("XDPBENCH_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* ---------------------------------------------------------------- packets */

static const uint8_t CLIENT_MAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x10 };
static const uint8_t LB_MAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x01 };
static const uint8_t GW_MAC[6] = { 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 };

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void ip4(const char *s, uint8_t out[4])
{
	if (inet_pton(AF_INET, s, out) != 1)
		die("bad IPv4 address %s", s);
}

static void ip6(const char *s, uint8_t out[16])
{
	if (inet_pton(AF_INET6, s, out) != 1)
		die("bad IPv6 address %s", s);
}

static int put_eth(uint8_t *p, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, type);
	return 14;
}

/* IPv4 header (20 bytes) with its checksum. */
static int put_ip4(uint8_t *p, const char *src, const char *dst, uint8_t proto, uint16_t payload)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, 20 + payload);
	put16(p + 6, 0x4000); /* DF */
	p[8] = 64;
	p[9] = proto;
	ip4(src, p + 12);
	ip4(dst, p + 16);
	put16(p + 10, ~fold(sum16(p, 20, 0)));
	return 20;
}

static int put_ip6(uint8_t *p, const char *src, const char *dst, uint8_t next, uint16_t payload)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, payload);
	p[6] = next;
	p[7] = 64;
	ip6(src, p + 8);
	ip6(dst, p + 24);
	return 40;
}

/* TCP header with the timestamp option (32 bytes), no data; checksum filled by l4_csum(). */
static int put_tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
	memset(p, 0, 32);
	put16(p, sport);
	put16(p + 2, dport);
	p[4] = 0x11; p[5] = 0x22; p[6] = 0x33; p[7] = 0x44;     /* seq */
	if (flags & 0x10) {
		p[8] = 0x55; p[9] = 0x66; p[10] = 0x77; p[11] = 0x88; /* ack */
	}
	p[12] = 8 << 4;
	p[13] = flags;
	put16(p + 14, 64240);
	p[20] = 1; p[21] = 1; p[22] = 8; p[23] = 10;              /* NOP NOP TS */
	p[24] = 0; p[25] = 1; p[26] = 0x86; p[27] = 0xa0;
	return 32;
}

/* TCP/UDP checksum of the segment at l4 (len bytes) under the IP header at l3. */
static uint16_t l4_csum(const uint8_t *l3, const uint8_t *l4, int len, uint8_t proto)
{
	uint32_t s;

	if ((l3[0] >> 4) == 4) {
		s = sum16(l3 + 12, 8, 0);
	} else {
		s = sum16(l3 + 8, 32, 0);
	}
	s += proto + len;
	s = sum16(l4, len, s);
	return ~fold(s);
}

static void fix_l4(uint8_t *l3, uint8_t *l4, int len, uint8_t proto)
{
	int off = proto == IPPROTO_TCP ? 16 : 6;

	put16(l4 + off, 0);
	put16(l4 + off, l4_csum(l3, l4, len, proto));
}

struct pkt {
	uint8_t b[512];
	int len;
};

/* Client -> VIP TCP frame. */
static void tcp4_frame(struct pkt *k, const char *src, const char *dst, uint16_t sport,
		       uint16_t dport, uint8_t flags)
{
	uint8_t *p = k->b;
	int o = put_eth(p, LB_MAC, CLIENT_MAC, 0x0800);

	put_ip4(p + o, src, dst, IPPROTO_TCP, 32);
	put_tcp(p + o + 20, sport, dport, flags);
	fix_l4(p + o, p + o + 20, 32, IPPROTO_TCP);
	k->len = o + 20 + 32;
}

static void tcp6_frame(struct pkt *k, const char *src, const char *dst, uint16_t sport,
		       uint16_t dport, uint8_t flags)
{
	uint8_t *p = k->b;
	int o = put_eth(p, LB_MAC, CLIENT_MAC, 0x86dd);

	put_ip6(p + o, src, dst, IPPROTO_TCP, 32);
	put_tcp(p + o + 40, sport, dport, flags);
	fix_l4(p + o, p + o + 40, 32, IPPROTO_TCP);
	k->len = o + 40 + 32;
}

/* An encapsulated frame for the real (as the director sends it): IPIP or GUE over IPv4. */
static void tunnel4_frame(struct pkt *k, const struct pkt *inner, int gue)
{
	uint8_t *p = k->b;
	int il = inner->len - 14, o = put_eth(p, GW_MAC, LB_MAC, 0x0800);

	put_ip4(p + o, "198.51.100.1", "198.51.100.10", gue ? IPPROTO_UDP : IPPROTO_IPIP,
		il + (gue ? 8 : 0));
	o += 20;
	if (gue) {
		put16(p + o, 0x8000 | 0x1234);
		put16(p + o + 2, 6080);
		put16(p + o + 4, 8 + il);
		put16(p + o + 6, 0);
		o += 8;
	}
	memcpy(p + o, inner->b + 14, il);
	k->len = o + il;
}

/* --------------------------------------------------------------- programs */



static int prog_fd_of(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		die("no program %s in %s", name, bpf_object__name(obj));
	return bpf_program__fd(p);
}

static int map_fd_of(struct bpf_object *obj, const char *name)
{
	int fd = bpf_object__find_map_fd_by_name(obj, name);

	if (fd < 0)
		die("no map %s in %s", name, bpf_object__name(obj));
	return fd;
}

/* A wrapper program of a bench object (bench_wrap.h) and its state entry. */
struct wrapper {
	int prog_fd, state_fd;
	uint32_t idx;
	const char *inner; /* the function it calls */
};

static struct wrapper wrapper_of(struct bpf_object *obj, const char *prog, uint32_t idx, const char *inner)
{
	struct wrapper w = { .prog_fd = prog_fd_of(obj, prog), .state_fd = map_fd_of(obj, "wrap_state"),
			     .idx = idx, .inner = inner };
	return w;
}

static struct bpf_object *open_obj(const char *dir, const char *file)
{
	char path[512];
	struct bpf_object *obj;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die("cannot open %s: %s (run make build first)", path, strerror(errno));
	return obj;
}

/* Loads the named programs of dir/file as plain XDP programs. */
static struct bpf_object *load_plain(const char *dir, const char *file, const char **progs, int n)
{
	struct bpf_object *obj = open_obj(dir, file);
	struct bpf_program *p;
	int i, found;

	bpf_object__for_each_program(p, obj) {
		found = 0;
		for (i = 0; i < n; i++)
			found |= !strcmp(bpf_program__name(p), progs[i]);
		bpf_program__set_autoload(p, found);
	}
	if (bpf_object__load(obj))
		die("loading %s/%s failed", dir, file);
	return obj;
}

static void wrap_reset(struct wrapper *w, uint32_t vary, uint32_t base)
{
	struct wrap_state s;
	memset(&s, 0, sizeof(s));
	s.vary = vary;
	s.vary_base = base;
	if (bpf_map_update_elem(w->state_fd, &w->idx, &s, BPF_ANY))
		die("wrap_state update: %s", strerror(errno));
}

static void wrap_read(struct wrapper *w, struct wrap_state *s)
{
	if (bpf_map_lookup_elem(w->state_fd, &w->idx, s))
		die("wrap_state lookup: %s", strerror(errno));
}

struct run_res {
	int retval;
	uint32_t kernel_ns; /* the kernel's average per run (integer ns) */
	uint64_t wall_ns;   /* the whole syscall, measured here */
	uint8_t out[4096];
	uint32_t out_len;
};

static void test_run(int prog_fd, const struct pkt *k, uint32_t repeat, struct run_res *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k->b, .data_size_in = k->len,
		    .data_out = r->out, .data_size_out = sizeof(r->out), .repeat = repeat);
	uint64_t t0, t1;
	int err;

	t0 = now_ns();
	err = bpf_prog_test_run_opts(prog_fd, &o);
	t1 = now_ns();
	if (err)
		die("bpf_prog_test_run_opts: %s", strerror(errno));
	r->retval = o.retval;
	r->kernel_ns = o.duration;
	r->wall_ns = t1 - t0;
	r->out_len = o.data_size_out;
}

static void prog_jit_info(int fd, uint32_t *jited, uint32_t *xlated, char *name)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("bpf_prog_get_info_by_fd: %s", strerror(errno));
	*jited = info.jited_prog_len;
	*xlated = info.xlated_prog_len;
	snprintf(name, 32, "%s", info.name);
}

/* JIT image length of each function of the program (main first); returns how many. */
static int jit_func_lens(int fd, uint32_t *lens, int max)
{
	struct bpf_prog_info info;
	uint32_t len = sizeof(info), n;

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("bpf_prog_get_info_by_fd: %s", strerror(errno));
	n = info.nr_jited_func_lens;
	if (n > (uint32_t)max)
		n = max;
	memset(&info, 0, sizeof(info));
	info.nr_jited_func_lens = n;
	info.jited_func_lens = (uint64_t)(unsigned long)lens;
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		die("bpf_prog_get_info_by_fd: %s", strerror(errno));
	return n;
}

static void json_lens(FILE *f, const char *name, int fd)
{
	uint32_t lens[16];
	int n = jit_func_lens(fd, lens, 16), i;

	fprintf(f, "    \"%s\": [", name);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? ", " : "", lens[i]);
	fprintf(f, "]");
}

/* ------------------------------------------------------------- counters */

static void percpu_get(int fd, uint32_t idx, uint64_t *packets)
{
	struct counter v[ncpus];
	int i;

	*packets = 0;
	if (bpf_map_lookup_elem(fd, &idx, v))
		die("per-CPU counter lookup: %s", strerror(errno));
	for (i = 0; i < ncpus; i++)
		*packets += v[i].packets;
}

/* --------------------------------------------------------- the balancer */

static int m_vip2tnl, m_vip_addrs, m_reals, m_ring, m_conn, m_lb_config, m_lb_stats, m_flood;
static struct lb_config lbc;
/* the CPU the per-packet runs happen on: m_conn is its connection table */
#define BENCH_CPU 0
#define CONN_TABLE_SIZE 65536 /* --conn-table-size's default (per CPU) */
#define FAR_FUTURE (1ULL << 62)
static int m_decap_addrs, m_decap_config, m_decap_stats;
static uint32_t ring_size = 65537, conn_capacity;

static void upd(int fd, const void *k, const void *v, const char *what)
{
	if (bpf_map_update_elem(fd, k, v, BPF_ANY))
		die("map update %s: %s", what, strerror(errno));
}

static struct ip_addr addr4(const char *s)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	ip4(s, (uint8_t *)a.addr);
	a.family = XDPLB_AF_INET;
	return a;
}

static struct ip_addr addr6(const char *s)
{
	struct ip_addr a;

	memset(&a, 0, sizeof(a));
	ip6(s, (uint8_t *)a.addr);
	a.family = XDPLB_AF_INET6;
	return a;
}

#define NREALS 16

/* VIP id, address, proto, encap; its reals are ids first..first+15. */
static void add_vip(uint32_t id, struct ip_addr a, uint16_t port, uint8_t encap, uint32_t flags, uint32_t first_real)
{
	struct vip_key k;
	struct vip_meta m;
	uint32_t n = 0, i, *slots, *keys, count;
	LIBBPF_OPTS(bpf_map_batch_opts, bo);

	memset(&k, 0, sizeof(k));
	memcpy(k.addr, a.addr, 16);
	k.port = htons(port);
	k.proto = IPPROTO_TCP;
	k.family = a.family;
	memset(&m, 0, sizeof(m));
	m.vip_id = id;
	m.encap = encap;
	m.flags = flags;
	upd(m_vip2tnl, &k, &m, "vip2tnl");
	bpf_map_lookup_elem(m_vip_addrs, &a, &n);
	n++;
	upd(m_vip_addrs, &a, &n, "vip_addrs");

	/* ring slot 0 of this VIP: the reals round robin (the ring's content does not change the cost) */
	slots = calloc(ring_size, 4);
	keys = calloc(ring_size, 4);
	for (i = 0; i < ring_size; i++) {
		keys[i] = id * 2 * ring_size + i;
		slots[i] = first_real + i % NREALS;
	}
	count = ring_size;
	if (bpf_map_update_batch(m_ring, keys, slots, &count, &bo))
		die("ring batch update: %s", strerror(errno));
	free(slots);
	free(keys);
}

static struct flow_key flow_of(const struct pkt *k)
{
	const uint8_t *p = k->b + 14;
	struct flow_key f;

	memset(&f, 0, sizeof(f));
	if ((p[0] >> 4) == 4) {
		memcpy(f.src, p + 12, 4);
		memcpy(f.dst, p + 16, 4);
		p += 20;
		f.family = XDPLB_AF_INET;
	} else {
		memcpy(f.src, p + 8, 16);
		memcpy(f.dst, p + 24, 16);
		p += 40;
		f.family = XDPLB_AF_INET6;
	}
	memcpy(&f.sport, p, 2);
	memcpy(&f.dport, p + 2, 2);
	f.proto = IPPROTO_TCP;
	return f;
}

static void conn_put(const struct pkt *k, uint32_t vip_id, uint32_t real_id)
{
	struct flow_key f = flow_of(k);
	struct flow_state s = { .real_id = real_id, .vip_id = vip_id };

	upd(m_conn, &f, &s, "conn_table");
}

static uint32_t conn_count(void)
{
	struct flow_key k, next;
	uint32_t n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(m_conn, prev, &next)) {
		n++;
		k = next;
		prev = &k;
	}
	return n;
}

static void conn_clear(void)
{
	static struct flow_key keys[4096];
	static struct flow_state vals[4096];
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	uint64_t in = 0, out = 0;
	void *inp = NULL;
	uint32_t count;
	int err;

	for (;;) {
		count = 4096;
		err = bpf_map_lookup_and_delete_batch(m_conn, inp, &out, keys, vals, &count, &bo);
		if (err && errno != ENOENT)
			die("conn_table lookup_and_delete_batch: %s", strerror(errno));
		if (err)
			break;
		in = out;
		inp = &in;
	}
	if (conn_count())
		die("conn_table not empty after clearing");
}

/* Fills the connection table to capacity with flows of another client range. */
static void conn_fill(void)
{
	struct flow_key *keys = calloc(conn_capacity, sizeof(*keys));
	struct flow_state *vals = calloc(conn_capacity, sizeof(*vals));
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	uint32_t i, count = conn_capacity;
	uint8_t src[4];

	ip4("203.0.113.200", src);
	for (i = 0; i < conn_capacity; i++) {
		memcpy(keys[i].src, src, 4);
		((uint8_t *)keys[i].src)[2] = 100 + (i >> 16);
		ip4("192.0.2.10", (uint8_t *)keys[i].dst);
		keys[i].sport = htons(i & 0xffff);
		keys[i].dport = htons(80);
		keys[i].proto = IPPROTO_TCP;
		keys[i].family = XDPLB_AF_INET;
		vals[i].real_id = 1 + i % NREALS;
		vals[i].vip_id = 0;
	}
	if (bpf_map_update_batch(m_conn, keys, vals, &count, &bo))
		die("conn_table batch fill: %s", strerror(errno));
	free(keys);
	free(vals);
}

static void balancer_setup(struct bpf_object *obj)
{
	struct lb_config c;
	uint32_t zero = 0, i;
	char buf[64];
	struct ip_addr a;

	m_vip2tnl = map_fd_of(obj, "vip2tnl");
	m_vip_addrs = map_fd_of(obj, "vip_addrs");
	m_reals = map_fd_of(obj, "reals");
	m_ring = map_fd_of(obj, "ring");
	m_lb_config = map_fd_of(obj, "lb_config");
	m_lb_stats = map_fd_of(obj, "lb_stats");
	m_flood = map_fd_of(obj, "flood_state");
	/* every CPU's connection table, as the control plane makes them at attach */
	{
		int outer = map_fd_of(obj, "conn_table"), fd;
		uint32_t cpu;

		for (cpu = 0; cpu < (uint32_t)ncpus; cpu++) {
			fd = bpf_map_create(BPF_MAP_TYPE_LRU_HASH, "conn_table_cpu", sizeof(struct flow_key),
					    sizeof(struct flow_state), CONN_TABLE_SIZE, NULL);
			if (fd < 0)
				die("creating CPU %u's connection table: %s", cpu, strerror(errno));
			upd(outer, &cpu, &fd, "conn_table");
			if (cpu == BENCH_CPU)
				m_conn = fd;
		}
		conn_capacity = CONN_TABLE_SIZE;
	}

	memset(&c, 0, sizeof(c));
	memcpy(c.src_mac, LB_MAC, 6);
	memcpy(c.dst_mac, GW_MAC, 6);
	ip4("198.51.100.1", (uint8_t *)&c.src4);
	ip6("2001:db8:1::1", (uint8_t *)c.src6);
	c.gue_port = htons(6080);
	c.mtu = 1500;
	/* the flood check runs on every new flow as with the default threshold (125000); this one is
	 * never reached, so that only the flood scenario's held window bypasses */
	c.flood_threshold = 0xffffffff;
	upd(m_lb_config, &zero, &c, "lb_config");
	lbc = c;

	/* reals 1..16: 198.51.100.10-25; 17..32: 2001:db8:2::10-25 */
	for (i = 0; i < NREALS; i++) {
		uint32_t id = 1 + i;

		snprintf(buf, sizeof(buf), "198.51.100.%u", 10 + i);
		a = addr4(buf);
		upd(m_reals, &id, &a, "reals");
		id = 1 + NREALS + i;
		snprintf(buf, sizeof(buf), "2001:db8:2::%x", 0x10 + i);
		a = addr6(buf);
		upd(m_reals, &id, &a, "reals");
	}
	add_vip(0, addr4("192.0.2.10"), 80, XDPLB_ENCAP_IPIP, 0, 1);
	add_vip(1, addr4("192.0.2.11"), 80, XDPLB_ENCAP_GUE, 0, 1);
	add_vip(2, addr6("2001:db8::10"), 80, XDPLB_ENCAP_IPIP, 0, 1 + NREALS);
	add_vip(3, addr4("192.0.2.12"), 80, XDPLB_ENCAP_GUE, 0, 1 + NREALS);
	add_vip(4, addr4("192.0.2.13"), 80, XDPLB_ENCAP_IPIP, XDPLB_VIP_NO_CONNTRACK, 1);
}

static void decap_setup(struct bpf_object *obj)
{
	struct decap_config c = { .gue_port = htons(6080) };
	struct ip_addr a = addr4("198.51.100.10");
	uint32_t zero = 0, one = 1;

	m_decap_addrs = map_fd_of(obj, "decap_addrs");
	m_decap_config = map_fd_of(obj, "decap_config");
	m_decap_stats = map_fd_of(obj, "decap_stats");
	upd(m_decap_addrs, &a, &one, "decap_addrs");
	upd(m_decap_config, &zero, &c, "decap_config");
}

/* ------------------------------------------------------------ scenarios */

enum check_kind {
	C_SAME,      /* output = input, XDP_PASS */
	C_SWAP,      /* MACs swapped, XDP_TX */
	C_IPIP4,     /* IPv4 outer, proto 4 or 41 */
	C_GUE4,
	C_GUE6,
	C_IPIP6,
	C_DECAP,     /* = the inner frame */
	C_FLOOR_ENCAP,
};

enum conn_prep { P_NONE, P_ACKS, P_ROOM, P_FULL, P_FLOOD };

struct scenario {
	const char *id, *label, *group;
	int prog_fd;
	struct wrapper *w;   /* NULL: the program runs bare */
	struct pkt pkt;
	struct pkt expect_inner; /* C_DECAP: the expected output */
	enum check_kind check;
	enum conn_prep prep;
	int vary;
	int stat_map;        /* counter map whose entries must each have grown by N (-1: none) */
	int stats[3];        /* indexes in it, -1 terminated */
	uint32_t n;          /* runs per round */
	int fixed_n;
	double *wall;        /* ns/packet per round (wall clock / N) */
	double *kern;        /* the kernel's integer average per round */
	char verified[512];
	int ok;
	uint32_t jited, xlated;
	char prog_name[32];
};

static int conn_state = -1; /* P_ROOM / P_FULL: what the table holds now */
static struct pkt ack_a, ack_b, ack_b6, ack_c;

/* Every CPU's flood_state: a fresh window, or (flooded) one held open in flood mode. */
static void flood_set(int flooded)
{
	struct flood_state *v = calloc(ncpus, sizeof(*v));
	uint32_t zero = 0;
	int i;

	for (i = 0; i < ncpus; i++) {
		v[i].window_start_ns = flooded ? FAR_FUTURE : 0;
		v[i].flooded = flooded;
	}
	upd(m_flood, &zero, v, "flood_state");
	free(v);
}

static void prepare(struct scenario *s)
{
	if (s->prep != P_NONE)
		flood_set(s->prep == P_FLOOD); /* the default threshold; a SYN call (< 125000 flows) stays under it */
	if (s->prep == P_ROOM || s->prep == P_FLOOD) {
		conn_clear();
		conn_state = P_ROOM;
	} else if (s->prep == P_FULL && conn_state != P_FULL) {
		conn_clear();
		conn_fill();
		conn_state = P_FULL;
	}
	if (s->prep != P_NONE) {
		/* the ACK scenarios' flows (a fill or an insert may have evicted them) */
		conn_put(&ack_a, 0, 5);
		conn_put(&ack_b, 1, 6);
		conn_put(&ack_c, 2, NREALS + 7);
		conn_put(&ack_b6, 3, NREALS + 8);
	}
	if (s->prep == P_ROOM || s->prep == P_FLOOD)
		conn_state = -1; /* 4 entries: not full */
}

static int run_once(struct scenario *s, uint32_t repeat, uint32_t base, struct run_res *r)
{
	if (s->w)
		wrap_reset(s->w, s->vary, base);
	test_run(s->prog_fd, &s->pkt, repeat, r);
	return r->retval;
}

static int fail(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, n, fmt, ap);
	va_end(ap);
	return 0;
}

static int real4_ok(const uint8_t *a)
{
	return a[0] == 198 && a[1] == 51 && a[2] == 100 && a[3] >= 10 && a[3] < 10 + NREALS;
}

static int real6_ok(const uint8_t *a)
{
	uint8_t base[16];

	ip6("2001:db8:2::", base);
	return !memcmp(a, base, 15) && a[15] >= 0x10 && a[15] < 0x10 + NREALS;
}

/*
 * The output of one run of s on input in: the verdict, the lengths, every
 * byte the program writes (MACs, outer header fields, checksums) and the
 * inner packet unchanged.
 */
static int check_output(const struct scenario *s, const struct pkt *in, const struct run_res *r,
			char *why, size_t wn)
{
	const uint8_t *o = r->out;
	int il = in->len - 14;
	uint8_t a[16];

	switch (s->check) {
	case C_SAME:
		if (r->retval != XDP_PASS)
			return fail(why, wn, "verdict %d, expected XDP_PASS", r->retval);
		if (r->out_len != (uint32_t)in->len || memcmp(o, in->b, in->len))
			return fail(why, wn, "frame changed");
		return 1;
	case C_SWAP:
		if (r->retval != XDP_TX || r->out_len != (uint32_t)in->len ||
		    memcmp(o, in->b + 6, 6) || memcmp(o + 6, in->b, 6) || memcmp(o + 12, in->b + 12, in->len - 12))
			return fail(why, wn, "not the frame with its MACs swapped, XDP_TX");
		return 1;
	case C_DECAP:
		if (r->retval != XDP_PASS)
			return fail(why, wn, "verdict %d, expected XDP_PASS", r->retval);
		if (r->out_len != (uint32_t)s->expect_inner.len || memcmp(o, s->expect_inner.b, s->expect_inner.len))
			return fail(why, wn, "output is not the inner frame (length %u, expected %d)",
				    r->out_len, s->expect_inner.len);
		return 1;
	default:
		break;
	}

	if (r->retval != XDP_TX)
		return fail(why, wn, "verdict %d, expected XDP_TX", r->retval);
	if (s->check == C_FLOOR_ENCAP) {
		if (memcmp(o, GW_MAC, 6) || memcmp(o + 6, LB_MAC, 6) || get16(o + 12) != 0x0800)
			return fail(why, wn, "Ethernet header");
	} else if (memcmp(o, GW_MAC, 6) || memcmp(o + 6, LB_MAC, 6)) {
		return fail(why, wn, "MACs are not lb_config's");
	}
	switch (s->check) {
	case C_IPIP4:
	case C_GUE4:
	case C_FLOOR_ENCAP: {
		int gue = s->check == C_GUE4, ov = 20 + (gue ? 8 : 0);

		if (r->out_len != (uint32_t)(in->len + ov))
			return fail(why, wn, "length %u, expected %d", r->out_len, in->len + ov);
		if (get16(o + 12) != 0x0800 || o[14] != 0x45 || get16(o + 16) != il + ov ||
		    get16(o + 20) != 0x4000 || o[22] != 64)
			return fail(why, wn, "outer IPv4 header fields");
		if (o[23] != (gue ? IPPROTO_UDP : IPPROTO_IPIP))
			return fail(why, wn, "outer protocol %u", o[23]);
		if (fold(sum16(o + 14, 20, 0)) != 0xffff)
			return fail(why, wn, "outer IPv4 checksum wrong");
		ip4("198.51.100.1", a);
		if (memcmp(o + 26, a, 4))
			return fail(why, wn, "outer source");
		if (s->check == C_FLOOR_ENCAP)
			ip4("198.51.100.2", a);
		if (s->check == C_FLOOR_ENCAP ? memcmp(o + 30, a, 4) : !real4_ok(o + 30))
			return fail(why, wn, "outer destination is not a real");
		if (gue && (get16(o + 34) < 0x8000 || get16(o + 36) != 6080 || get16(o + 38) != il + 8 ||
			    get16(o + 40) != 0))
			return fail(why, wn, "GUE/UDP header");
		if (memcmp(o + 14 + ov, in->b + 14, il))
			return fail(why, wn, "inner packet changed");
		return 1;
	}
	case C_IPIP6:
	case C_GUE6: {
		int gue = s->check == C_GUE6, ov = 40 + (gue ? 8 : 0);

		if (r->out_len != (uint32_t)(in->len + ov))
			return fail(why, wn, "length %u, expected %d", r->out_len, in->len + ov);
		if (get16(o + 12) != 0x86dd || (o[14] >> 4) != 6 || get16(o + 18) != il + (gue ? 8 : 0) ||
		    o[21] != 64)
			return fail(why, wn, "outer IPv6 header fields");
		if (o[20] != (gue ? IPPROTO_UDP : (((in->b[14] >> 4) == 4) ? IPPROTO_IPIP : IPPROTO_IPV6)))
			return fail(why, wn, "outer next header %u", o[20]);
		ip6("2001:db8:1::1", a);
		if (memcmp(o + 22, a, 16) || !real6_ok(o + 38))
			return fail(why, wn, "outer addresses");
		if (gue) {
			if (get16(o + 54) < 0x8000 || get16(o + 56) != 6080 || get16(o + 58) != il + 8)
				return fail(why, wn, "GUE/UDP header");
			if (get16(o + 60) == 0 || l4_csum(o + 14, o + 54, il + 8, IPPROTO_UDP) != 0)
				return fail(why, wn, "GUE over IPv6: UDP checksum wrong");
		}
		if (memcmp(o + 14 + ov, in->b + 14, il))
			return fail(why, wn, "inner packet changed");
		return 1;
	}
	default:
		return fail(why, wn, "no check");
	}
}

/* The input of the n-th run of a varying scenario (bench_wrap.bpf.c does the same). */
static void varied(const struct pkt *in, uint32_t n, struct pkt *out)
{
	*out = *in;
	out->b[14 + 14] ^= (n >> 24) & 0xff;
	out->b[14 + 15] ^= (n >> 16) & 0xff;
	out->b[14 + 20] ^= (n >> 8) & 0xff;
	out->b[14 + 21] ^= n & 0xff;
}

static void read_stats(const struct scenario *s, uint64_t *v)
{
	int i;

	for (i = 0; i < 3 && s->stats[i] >= 0; i++)
		percpu_get(s->stat_map, s->stats[i], &v[i]);
}

/*
 * Verification, before any timing: one run checked byte by byte; then N runs
 * (as in the timed rounds), whose output must equal the single run's (for the
 * SYN scenarios: a single run of the N-th flow), whose counters must each have
 * grown by exactly N, and whose wrapper must have restored the frame N times.
 */
static void verify(struct scenario *s)
{
	static struct run_res r1, rn, rx;
	struct pkt in = s->pkt, vin;
	uint64_t before[3] = { 0 }, after[3] = { 0 };
	struct wrap_state st;
	char why[256] = "";
	int i;

	prepare(s);
	if (s->vary)
		varied(&s->pkt, 1, &in);
	run_once(s, 1, 0, &r1);
	if (!check_output(s, &in, &r1, why, sizeof(why))) {
		snprintf(s->verified, sizeof(s->verified), "FAILED single run: %s", why);
		return;
	}

	prepare(s);
	read_stats(s, before);
	run_once(s, s->n, 0, &rn);
	read_stats(s, after);
	if (s->w) {
		wrap_read(s->w, &st);
		if (st.runs != s->n || st.errors) {
			snprintf(s->verified, sizeof(s->verified),
				 "FAILED: wrapper ran %u times (expected %u), %u restore errors", st.runs, s->n, st.errors);
			return;
		}
	}
	for (i = 0; i < 3 && s->stats[i] >= 0; i++) {
		if (after[i] - before[i] != s->n) {
			snprintf(s->verified, sizeof(s->verified), "FAILED: counter %d grew by %llu in %u runs",
				 s->stats[i], (unsigned long long)(after[i] - before[i]), s->n);
			return;
		}
	}
	if (s->vary) {
		/* the N-th run's flow, run once without variation, gives the expected output */
		struct scenario plain = *s;

		varied(&s->pkt, s->n, &vin);
		plain.vary = 0;
		plain.pkt = vin;
		if (s->prep == P_ROOM || s->prep == P_FLOOD) {
			uint32_t entries = conn_count(), want = s->prep == P_ROOM ? s->n + 4 : 4;

			if (entries != want) {
				snprintf(s->verified, sizeof(s->verified),
					 "FAILED: %u runs left %u conn_table entries, expected %u", s->n, entries, want);
				return;
			}
		}
		run_once(&plain, 1, 0, &rx);
		if (!check_output(s, &vin, &rn, why, sizeof(why))) {
			snprintf(s->verified, sizeof(s->verified), "FAILED after %u runs: %s", s->n, why);
			return;
		}
		if (rx.out_len != rn.out_len || memcmp(rx.out, rn.out, rn.out_len)) {
			snprintf(s->verified, sizeof(s->verified),
				 "FAILED: output after %u runs differs from a single run of that flow", s->n);
			return;
		}
	} else if (r1.out_len != rn.out_len || memcmp(r1.out, rn.out, rn.out_len) || r1.retval != rn.retval) {
		snprintf(s->verified, sizeof(s->verified), "FAILED: output after %u runs differs from a single run", s->n);
		return;
	}
	s->ok = 1;
	snprintf(s->verified, sizeof(s->verified), "%s",
		 s->vary ? "single run checked; after N runs (each a new flow) the output equals a single run of the N-th flow; counters +N; conn_table entries as expected"
			 : "single run checked; output after N runs equals the single run's; counters +N");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double quantile(const double *v, int n, double q)
{
	double *c = malloc(n * sizeof(*c)), pos, r;
	int lo;

	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), cmp_double);
	pos = q * (n - 1);
	lo = (int)pos;
	r = lo + 1 < n ? c[lo] + (pos - lo) * (c[lo + 1] - c[lo]) : c[lo];
	free(c);
	return r;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int cmd_kernel(int argc, char **argv)
{
	int rounds = 31, ms = 10, i, j, r, nsc = 0, all_ok = 1;
	const char *out = NULL;
	static struct wrapper w_bal, w_decap, w_pass, w_swap, w_encap;
	static struct scenario sc[24];
	struct bpf_object *bal, *dec, *flo;
	struct run_res *rr = calloc(1, sizeof(*rr));
	struct pkt syn;
	char jit[16] = "?";
	FILE *f;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--rounds") && i + 1 < argc)
			rounds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--ms") && i + 1 < argc)
			ms = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else
			die("kernel: unknown argument %s", argv[i]);
	}
	if (!out || rounds < 3)
		die("usage: xdpbench kernel [--rounds R>=3] [--ms MS] --out FILE");
	{
		/* one connection table per CPU: every run on the CPU whose table the bench fills */
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(BENCH_CPU, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity(CPU %d): %s", BENCH_CPU, strerror(errno));
	}

	f = fopen("/proc/sys/net/core/bpf_jit_enable", "r");
	if (f) {
		if (!fgets(jit, sizeof(jit), f))
			jit[0] = 0;
		jit[strcspn(jit, "\n")] = 0;
		fclose(f);
	}
	if (strcmp(jit, "1") && strcmp(jit, "2"))
		die("the BPF JIT is off (net.core.bpf_jit_enable=%s); the numbers would be meaningless", jit);

	{
		const char *all[] = { "wrap_balancer", "wrap_decap", "wrap_pass", "wrap_swap", "wrap_encap",
				      "bare_pass", "bare_swap" };

		bal = load_plain(bench_dir, "bench_balancer.bpf.o", all, 7);
		dec = load_plain(bench_dir, "bench_decap.bpf.o", all, 7);
		flo = load_plain(bench_dir, "bench_floor.bpf.o", all, 7);
	}
	w_bal = wrapper_of(bal, "wrap_balancer", 0, "balancer_inner");
	w_decap = wrapper_of(dec, "wrap_decap", 0, "decap_inner");
	w_pass = wrapper_of(flo, "wrap_pass", 0, "floor_pass");
	w_swap = wrapper_of(flo, "wrap_swap", 1, "floor_swap");
	w_encap = wrapper_of(flo, "wrap_encap", 2, "floor_encap");
	ring_size = bpf_map__max_entries(bpf_object__find_map_by_name(bal, "ring")) /
		    (2 * bpf_map__max_entries(bpf_object__find_map_by_name(bal, "vip_stats")));
	balancer_setup(bal);
	decap_setup(dec);

	tcp4_frame(&ack_a, "203.0.113.7", "192.0.2.10", 40001, 80, 0x10);
	tcp4_frame(&ack_b, "203.0.113.7", "192.0.2.11", 40002, 80, 0x10);
	tcp4_frame(&ack_b6, "203.0.113.7", "192.0.2.12", 40004, 80, 0x10);
	tcp6_frame(&ack_c, "2001:db8:c::7", "2001:db8::10", 40003, 80, 0x10);
	tcp4_frame(&syn, "203.0.113.8", "192.0.2.10", 1024, 80, 0x02);

#define SC(ID, GROUP, LABEL, PROG, W, PKT, CHECK) \
	(sc[nsc] = (struct scenario){ .id = ID, .group = GROUP, .label = LABEL, .prog_fd = PROG, .w = W, \
				      .pkt = PKT, .check = CHECK, .stat_map = -1, .stats = { -1, -1, -1 } }, &sc[nsc++])
	{
		struct scenario *s;
		struct pkt t, nonvip;

		s = SC("floor_pass", "floor", "floor: XDP_PASS", w_pass.prog_fd, &w_pass, ack_a, C_SAME);
		s = SC("floor_swap", "floor", "floor: parse Ethernet, swap MACs, XDP_TX", w_swap.prog_fd, &w_swap, ack_a, C_SWAP);
		s = SC("floor_encap", "floor", "floor: minimal IPIP encap (adjust head, outer IPv4 + checksum, MACs, XDP_TX)",
		       w_encap.prog_fd, &w_encap, ack_a, C_FLOOR_ENCAP);

		s = SC("a_conn_ipip4", "balancer", "(a) IPv4 TCP ACK, conn-table hit, IPIP", w_bal.prog_fd, &w_bal, ack_a, C_IPIP4);
		s->prep = P_ACKS; s->stat_map = m_lb_stats;
		s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_CONN_HIT;
		tcp4_frame(&t, "203.0.113.7", "192.0.2.13", 40006, 80, 0x10);
		s = SC("a0_ring_ipip4", "balancer", "(a0) IPv4 TCP ACK, VIP without conn table (no-conntrack): Maglev ring only, IPIP",
		       w_bal.prog_fd, &w_bal, t, C_IPIP4);
		s->stat_map = m_lb_stats; s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_RING_USED;
		s = SC("b_conn_gue4", "balancer", "(b) IPv4 TCP ACK, conn-table hit, GUE (IPv4 outer)", w_bal.prog_fd, &w_bal, ack_b, C_GUE4);
		s->prep = P_ACKS; s->stat_map = m_lb_stats;
		s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_CONN_HIT;
		s = SC("b6_conn_gue6", "balancer", "(b') IPv4 TCP ACK, conn-table hit, GUE over IPv6 (UDP checksum)", w_bal.prog_fd, &w_bal, ack_b6, C_GUE6);
		s->prep = P_ACKS; s->stat_map = m_lb_stats;
		s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_CONN_HIT;
		s = SC("c_conn_ipip6", "balancer", "(c) IPv6 TCP ACK, conn-table hit, IPIP (6in6)", w_bal.prog_fd, &w_bal, ack_c, C_IPIP6);
		s->prep = P_ACKS; s->stat_map = m_lb_stats;
		s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_CONN_HIT;
		s = SC("d_syn_insert", "balancer", "(d) IPv4 TCP SYN, Maglev ring + conn-table insert (table has room)",
		       w_bal.prog_fd, &w_bal, syn, C_IPIP4);
		s->prep = P_ROOM; s->vary = 1; s->fixed_n = 1; s->n = conn_capacity * 5 / 8;
		s->stat_map = m_lb_stats; s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_RING_USED;
		s = SC("d_syn_flood", "balancer", "(d-flood) IPv4 TCP SYN in flood mode: Maglev ring, no insert (counted flood_bypass)",
		       w_bal.prog_fd, &w_bal, syn, C_IPIP4);
		s->prep = P_FLOOD; s->vary = 1; s->fixed_n = 1; s->n = conn_capacity * 5 / 8;
		s->stat_map = m_lb_stats; s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_RING_USED;
		s->stats[2] = XDPLB_STAT_FLOOD_BYPASS;
		s = SC("d_syn_evict", "balancer", "(d') IPv4 TCP SYN, Maglev ring + conn-table insert, table full (LRU evicts)",
		       w_bal.prog_fd, &w_bal, syn, C_IPIP4);
		s->prep = P_FULL; s->vary = 1; s->fixed_n = 1; s->n = conn_capacity * 5 / 8;
		s->stat_map = m_lb_stats; s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_RING_USED;
		s = SC("d_syn_same", "balancer", "(d\") IPv4 TCP SYN of one flow again and again: ring + conn-table update of its entry (cache-hot)",
		       w_bal.prog_fd, &w_bal, syn, C_IPIP4);
		s->prep = P_ACKS;
		s->stat_map = m_lb_stats; s->stats[0] = XDPLB_STAT_TX; s->stats[1] = XDPLB_STAT_RING_USED;
		tcp4_frame(&nonvip, "203.0.113.7", "192.0.2.99", 40005, 80, 0x10);
		s = SC("e_not_vip", "balancer", "(e) IPv4 TCP to a non-VIP address: XDP_PASS", w_bal.prog_fd, &w_bal, nonvip, C_SAME);
		s->stat_map = m_lb_stats; s->stats[0] = XDPLB_STAT_PASS_NOT_VIP;

		tunnel4_frame(&t, &ack_a, 0);
		s = SC("f_decap_ipip", "decap", "(f) decap: IPIP (4in4) stripped", w_decap.prog_fd, &w_decap, t, C_DECAP);
		s->expect_inner = ack_a;
		memcpy(s->expect_inner.b, GW_MAC, 6);
		memcpy(s->expect_inner.b + 6, LB_MAC, 6);
		s->stat_map = m_decap_stats; s->stats[0] = XDPLB_DECAP_IPIP4;
		tunnel4_frame(&t, &ack_a, 1);
		s = SC("f_decap_gue", "decap", "(f) decap: GUE (IPv4) stripped", w_decap.prog_fd, &w_decap, t, C_DECAP);
		s->expect_inner = sc[nsc - 2].expect_inner;
		s->stat_map = m_decap_stats; s->stats[0] = XDPLB_DECAP_IPIP4; s->stats[1] = XDPLB_DECAP_GUE;

		s = SC("bare_pass", "harness", "harness: bare XDP_PASS program, no wrapper", prog_fd_of(flo, "bare_pass"), NULL, ack_a, C_SAME);
		s = SC("bare_swap", "harness", "harness: bare MAC swap, no wrapper", prog_fd_of(flo, "bare_swap"), NULL, ack_a, C_SWAP);
		(void)s;
	}

	/* runs per round: about ms milliseconds each (SYN scenarios: a fixed share of the table) */
	for (i = 0; i < nsc; i++) {
		struct scenario *s = &sc[i];
		double ns;

		prog_jit_info(s->prog_fd, &s->jited, &s->xlated, s->prog_name);
		if (s->w)
			snprintf(s->prog_name, sizeof(s->prog_name), "%s", s->w->inner);
		if (!s->jited)
			die("%s: program is not JIT-compiled", s->id);
		if (s->fixed_n)
			continue;
		prepare(s);
		run_once(s, 20000, 0, rr);
		ns = rr->kernel_ns ? rr->kernel_ns : 1;
		s->n = (uint32_t)(ms * 1e6 / ns);
		if (s->n < 20000)
			s->n = 20000;
		if (s->n > 5000000)
			s->n = 5000000;
		if (!s->w)
			s->n |= 1; /* a bare MAC swap gives the single run's output after an odd number of runs */
	}

	for (i = 0; i < nsc; i++) {
		verify(&sc[i]);
		fprintf(stderr, "xdpbench: %-14s %s\n", sc[i].id, sc[i].verified);
		all_ok &= sc[i].ok;
		sc[i].wall = calloc(rounds, sizeof(double));
		sc[i].kern = calloc(rounds, sizeof(double));
	}

	/* interleaved rounds: every scenario once per round, starting one further each round */
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < nsc; j++) {
			struct scenario *s = &sc[(r + j) % nsc];

			prepare(s);
			run_once(s, s->n, s->prep == P_FULL ? (uint32_t)(r + 1) << 20 : 0, rr);
			s->wall[r] = (double)rr->wall_ns / s->n;
			s->kern[r] = rr->kernel_ns;
		}
	}

	f = fopen(out, "w");
	if (!f)
		die("cannot write %s: %s", out, strerror(errno));
	{
		struct utsname u;

		uname(&u);
		fprintf(f, "{\n  \"kernel\": ");
		json_str(f, u.release);
		fprintf(f, ",\n  \"jit_enable\": %s,\n  \"rounds\": %d,\n  \"ring_size\": %u,\n  \"conn_table_size\": %u,\n"
			   "  \"all_verified\": %s,\n",
			jit, rounds, ring_size, conn_capacity, all_ok ? "true" : "false");
	}
	{
		/* the programs as `make build` made them, loaded only to compare their JIT images */
		const char *pb[] = { "balancer" }, *pd[] = { "decap" };
		struct bpf_object *sb = load_plain(bpf_dir, "balancer.bpf.o", pb, 1);
		struct bpf_object *sd = load_plain(bpf_dir, "decap.bpf.o", pd, 1);

		fprintf(f, "  \"jited_func_lens\": {\n");
		json_lens(f, "build/bpf/balancer.bpf.o balancer", prog_fd_of(sb, "balancer"));
		fprintf(f, ",\n");
		json_lens(f, "bench wrap_balancer", w_bal.prog_fd);
		fprintf(f, ",\n");
		json_lens(f, "build/bpf/decap.bpf.o decap", prog_fd_of(sd, "decap"));
		fprintf(f, ",\n");
		json_lens(f, "bench wrap_decap", w_decap.prog_fd);
		fprintf(f, "\n  },\n  \"scenarios\": [\n");
		bpf_object__close(sb);
		bpf_object__close(sd);
	}
	for (i = 0; i < nsc; i++) {
		struct scenario *s = &sc[i];

		fprintf(f, "    {\"id\": ");
		json_str(f, s->id);
		fprintf(f, ", \"group\": ");
		json_str(f, s->group);
		fprintf(f, ", \"label\": ");
		json_str(f, s->label);
		fprintf(f, ", \"wrapped\": %s, \"program\": ", s->w ? "true" : "false");
		json_str(f, s->prog_name);
		fprintf(f, ", \"jited_bytes\": %u, \"xlated_bytes\": %u, \"frame_bytes\": %d, \"runs_per_round\": %u, "
			   "\"verified\": %s, \"verification\": ",
			s->jited, s->xlated, s->pkt.len, s->n, s->ok ? "true" : "false");
		json_str(f, s->verified);
		fprintf(f, ",\n     \"median_ns\": %.1f, \"p25_ns\": %.2f, \"p75_ns\": %.2f, \"min_ns\": %.0f, \"max_ns\": %.0f, "
			   "\"syscall_wall_ms_median\": %.2f,\n     \"rounds_ns\": [",
			quantile(s->kern, rounds, 0.5), quantile(s->kern, rounds, 0.25), quantile(s->kern, rounds, 0.75),
			quantile(s->kern, rounds, 0), quantile(s->kern, rounds, 1),
			quantile(s->wall, rounds, 0.5) * s->n / 1e6);
		for (r = 0; r < rounds; r++)
			fprintf(f, "%s%.0f", r ? ", " : "", s->kern[r]);
		fprintf(f, "]}%s\n", i + 1 < nsc ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	fclose(f);

	conn_clear();
	bpf_object__close(flo);
	bpf_object__close(dec);
	bpf_object__close(bal);
	return all_ok ? 0 : 2;
}

/* ------------------------------------------------------------ live mode */

/* Sets the const volatile NAME (size bytes) of the object's .rodata (found through its BTF) before load. */
static void set_rodata(struct bpf_object *obj, const char *name, const void *value, uint32_t size)
{
	struct bpf_map *ro = bpf_object__find_map_by_name(obj, ".rodata");
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	size_t sz;
	uint8_t *d;
	int id, i;

	if (!ro || !btf || !(d = (uint8_t *)bpf_map__initial_value(ro, &sz)))
		die("%s: no .rodata", bpf_object__name(obj));
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	if (id < 0)
		die("%s: no .rodata in BTF", bpf_object__name(obj));
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (!strcmp(btf__name_by_offset(btf, v->name_off), name)) {
			if (vs->size != size || vs->offset + size > sz)
				die("%s: %s is not %u bytes", bpf_object__name(obj), name, size);
			memcpy(d + vs->offset, value, size);
			return;
		}
	}
	die("%s: no variable %s in .rodata", bpf_object__name(obj), name);
}

static void parse_mac(const char *s, uint8_t *m)
{
	if (sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) != 6)
		die("bad MAC %s", s);
}

static int cmd_gen(int argc, char **argv)
{
	const char *netns = NULL, *iface = NULL, *src = NULL, *dst = NULL;
	uint8_t dmac[6] = { 0 }, smac[6] = { 0 };
	int have_dmac = 0, have_smac = 0, cpu = -1, size = 60, i, fd, nsfd;
	uint32_t flows = 1024, frames = 1000000, dport = 9, sport_base = 10000, random_src = 0;
	int tcp_flags = -1;
	struct bpf_object *obj;
	struct bpf_program *p;
	struct xdp_md ctx;
	struct pkt k;
	uint64_t t0, t1, c0, c1;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			die("gen: %s needs a value", a);
		i++;
		if (!strcmp(a, "--netns")) netns = v;
		else if (!strcmp(a, "--iface")) iface = v;
		else if (!strcmp(a, "--dst-mac")) { parse_mac(v, dmac); have_dmac = 1; }
		else if (!strcmp(a, "--src-mac")) { parse_mac(v, smac); have_smac = 1; }
		else if (!strcmp(a, "--src")) src = v;
		else if (!strcmp(a, "--dst")) dst = v;
		else if (!strcmp(a, "--dport")) dport = atoi(v);
		else if (!strcmp(a, "--flows")) flows = atoi(v);
		else if (!strcmp(a, "--frames")) frames = strtoul(v, NULL, 0);
		else if (!strcmp(a, "--cpu")) cpu = atoi(v);
		else if (!strcmp(a, "--size")) size = atoi(v);
		else if (!strcmp(a, "--tcp-flags")) tcp_flags = strtol(v, NULL, 0);
		else if (!strcmp(a, "--sport-base")) sport_base = atoi(v);
		else if (!strcmp(a, "--random-src")) random_src = atoi(v);
		else die("gen: unknown argument %s", a);
	}
	if (!netns || !iface || !src || !dst || !have_dmac || !have_smac || size < 60 || size > 1500)
		die("usage: xdpbench gen --netns NS --iface IF --src-mac MAC --dst-mac MAC --src IP --dst IP "
		    "[--dport N] [--flows N] [--frames N] [--cpu N] [--size 60..1500] [--tcp-flags F] [--sport-base N] "
		    "[--random-src 0|1]");

	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			die("sched_setaffinity: %s", strerror(errno));
	}

	/* the template: Ethernet, IPv4, UDP (checksum 0) or TCP (20 bytes, flags), zero payload up to size */
	memset(&k, 0, sizeof(k));
	put_eth(k.b, dmac, smac, 0x0800);
	if (tcp_flags < 0) {
		put_ip4(k.b + 14, src, dst, IPPROTO_UDP, size - 14 - 20);
		put16(k.b + 34, sport_base);
		put16(k.b + 36, dport);
		put16(k.b + 38, size - 14 - 20);
	} else {
		put_ip4(k.b + 14, src, dst, IPPROTO_TCP, 20);
		put16(k.b + 34, sport_base);
		put16(k.b + 36, dport);
		k.b[38 + 3] = 1;              /* seq 1 */
		k.b[46] = 5 << 4;             /* data offset: 20 bytes */
		k.b[47] = tcp_flags;
		put16(k.b + 48, 65535);       /* window */
		if (tcp_flags & 0x10)
			k.b[42 + 3] = 1;      /* ack 1 */
	}
	k.len = size;

	obj = open_obj(bench_dir, "trafficgen.bpf.o");
	set_rodata(obj, "flows", &flows, 4);
	set_rodata(obj, "hdr", k.b, 56);
	set_rodata(obj, "sport_base", &sport_base, 4);
	set_rodata(obj, "random_src", &random_src, 4);
	if (bpf_object__load(obj))
		die("loading trafficgen.bpf.o failed");
	p = bpf_object__find_program_by_name(obj, "gen");
	fd = bpf_program__fd(p);

	nsfd = open(netns[0] == '/' ? netns : ({ static char b[256]; snprintf(b, sizeof(b), "/run/netns/%s", netns); b; }),
		    O_RDONLY | O_CLOEXEC);
	if (nsfd < 0 || setns(nsfd, CLONE_NEWNET))
		die("cannot enter netns %s: %s", netns, strerror(errno));
	memset(&ctx, 0, sizeof(ctx));
	ctx.data_end = k.len; /* the kernel wants ctx to describe data_in exactly */
	ctx.ingress_ifindex = if_nametoindex(iface);
	if (!ctx.ingress_ifindex)
		die("no interface %s in %s", iface, netns);
	{
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = k.b, .data_size_in = k.len, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx), .repeat = frames, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .batch_size = 64);

		c0 = thread_cpu_ns();
		t0 = now_ns();
		if (bpf_prog_test_run_opts(fd, &o))
			die("live-frames test run: %s", strerror(errno));
		t1 = now_ns();
		c1 = thread_cpu_ns();
	}
	/* cpu_ns: this thread's CPU time, which (without IRQ time accounting) includes the softirqs
	 * that ran in its context: with unthreaded NAPI, the whole path of the frames on this core */
	printf("{\"frames\": %u, \"ns\": %llu, \"cpu_ns\": %llu, \"frame_bytes\": %d, \"flows\": %u}\n", frames,
	       (unsigned long long)(t1 - t0), (unsigned long long)(c1 - c0), size, flows);
	bpf_object__close(obj);
	return 0;
}

static int cmd_counters(int argc, char **argv)
{
	int i, fd;
	uint32_t idx;
	struct bpf_map_info info;
	uint32_t len;

	printf("{");
	for (i = 0; i < argc; i++) {
		fd = bpf_obj_get(argv[i]);
		if (fd < 0)
			die("cannot open pinned map %s: %s", argv[i], strerror(errno));
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(fd, &info, &len))
			die("map info %s: %s", argv[i], strerror(errno));
		printf("%s\"%s\": [", i ? ", " : "", argv[i]);
		for (idx = 0; idx < info.max_entries; idx++) {
			uint64_t p;

			percpu_get(fd, idx, &p);
			printf("%s%llu", idx ? ", " : "", (unsigned long long)p);
		}
		printf("]");
		close(fd);
	}
	printf("}\n");
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	libbpf_set_print(libbpf_quiet);
	ncpus = libbpf_num_possible_cpus();
	if (ncpus <= 0)
		die("cannot count CPUs");
	while (i + 1 < argc && (!strcmp(argv[i], "-b") || !strcmp(argv[i], "-B"))) {
		if (argv[i][1] == 'b')
			bench_dir = argv[i + 1];
		else
			bpf_dir = argv[i + 1];
		i += 2;
	}
	if (i >= argc)
		die("usage: xdpbench [-b BENCHDIR] [-B BPFDIR] kernel|gen|counters ...");
	if (!strcmp(argv[i], "kernel"))
		return cmd_kernel(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "gen"))
		return cmd_gen(argc - i - 1, argv + i + 1);
	if (!strcmp(argv[i], "counters"))
		return cmd_counters(argc - i - 1, argv + i + 1);
	die("unknown command %s", argv[i]);
	return 1;
}
