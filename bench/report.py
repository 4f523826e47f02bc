#!/usr/bin/python3
"""Writes docs/benchmarks.md, docs/benchmarks.json and docs/benchmarks.png from the results
of scripts/bench.sh (build/bench/*.json), and prints the tables.

Usage: report.py RESULTS_DIR DOCS_DIR
"""
import json
import os
import statistics
import sys

# issue 15's targets, as ratios to the minimal-encap floor of the same round
TARGETS = {"a_conn_ipip4": 3.5, "b_conn_gue4": 3.5, "c_conn_ipip6": 3.5, "d_syn_insert": 15.0,
           "d_syn_flood": 5.0, "e_not_vip": 1.6}
ORDER = ["floor_pass", "floor_swap", "floor_encap", "a_conn_ipip4", "a0_ring_ipip4", "b_conn_gue4",
         "b6_conn_gue6", "c_conn_ipip6", "d_syn_insert", "d_syn_flood", "d_syn_evict", "d_syn_same", "e_not_vip",
         "f_decap_ipip", "f_decap_gue", "bare_pass", "bare_swap"]


def load(path, default=None):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        if default is not None:
            return default
        raise


def quart(v):
    v = sorted(v)
    if len(v) == 1:
        return v[0], v[0], v[0]
    q = statistics.quantiles(v, n=4, method="inclusive")
    return q[0], statistics.median(v), q[2]


def fmt(x, nd=0):
    return "n/a" if x is None else ("{:,.%df}" % nd).format(x)


def kernel_section(k):
    sc = {s["id"]: s for s in k["scenarios"]}
    rounds = k["rounds"]
    enc, fp, bp = sc["floor_encap"]["rounds_ns"], sc["floor_pass"]["rounds_ns"], sc["bare_pass"]["rounds_ns"]
    rows = []
    for sid in ORDER:
        if sid not in sc:
            continue
        s = sc[sid]
        r = s["rounds_ns"]
        p25, med, p75 = quart(r)
        raw = [r[i] / enc[i] for i in range(rounds)]
        net = [(r[i] - fp[i]) / (enc[i] - fp[i]) for i in range(rounds) if enc[i] > fp[i]]
        row = {"id": sid, "label": s["label"], "group": s["group"], "median_ns": med, "p25_ns": p25, "p75_ns": p75,
               "min_ns": min(r), "max_ns": max(r), "x_floor": quart(raw), "x_floor_net": quart(net) if net else None,
               "verified": s["verified"], "verification": s["verification"], "runs_per_round": s["runs_per_round"],
               "frame_bytes": s["frame_bytes"]}
        if sid in TARGETS:
            t = TARGETS[sid]
            row["target"] = t
            row["target_met"] = row["x_floor"][1] <= t
        rows.append(row)
    by = {r["id"]: r for r in rows}
    wrapper = [fp[i] - bp[i] for i in range(rounds)]
    swapw = [sc["floor_swap"]["rounds_ns"][i] - sc["bare_swap"]["rounds_ns"][i] for i in range(rounds)]

    def delta(a, b):
        ra, rb = sc[a]["rounds_ns"], sc[b]["rounds_ns"]
        return statistics.median(ra[i] - rb[i] for i in range(rounds))

    derived = {
        "harness_ns": statistics.median(bp),
        "wrapper_ns": statistics.median(wrapper),
        "wrapper_ns_from_swap": statistics.median(swapw),
        "encap_floor_own_ns": delta("floor_encap", "floor_pass"),
        "conn_lookup_vs_ring_ns": delta("a_conn_ipip4", "a0_ring_ipip4"),
        "parse_and_vip_miss_ns": delta("e_not_vip", "floor_pass"),
        "balancer_hit_own_ns": delta("a_conn_ipip4", "floor_pass"),
        "syn_insert_over_ring_ns": delta("d_syn_insert", "a0_ring_ipip4"),
        "syn_update_hot_over_ring_ns": delta("d_syn_same", "a0_ring_ipip4"),
        "syn_cold_over_hot_ns": delta("d_syn_insert", "d_syn_same"),
        "evict_over_insert_ns": delta("d_syn_evict", "d_syn_insert"),
        "flood_over_ring_ns": delta("d_syn_flood", "a0_ring_ipip4"),
        "insert_over_flood_ns": delta("d_syn_insert", "d_syn_flood"),
        "gue_over_ipip_ns": delta("b_conn_gue4", "a_conn_ipip4"),
        "ipv6_over_ipv4_ns": delta("c_conn_ipip6", "a_conn_ipip4"),
    }
    return rows, by, derived


def live_section(live):
    out = {}
    for method in ("one_core", "split"):
        for mode in ("fwd", "xdp"):
            runs = [r for r in live["runs"] if r["method"] == method and r["mode"] == mode]
            if not runs:
                continue
            e = {"runs": len(runs),
                 "delivered_mpps": quart([r["delivered_mpps"] for r in runs]),
                 "generated_mpps": quart([r["generated_mpps"] for r in runs]),
                 "accounted": all(r["accounted"] for r in runs)}
            for key in ("refused_by_director_ring", "seen_by_director", "forwarded", "director_drops",
                        "refused_by_real_ring", "arrived_at_real", "frames", "real_stack_rp_filter_drops"):
                e[key] = sum(r.get(key, 0) for r in runs)
            if method == "one_core":
                e["mpps_per_core"] = quart([r["mpps_per_core"] for r in runs])
                e["core_ns_per_packet"] = quart([r["core_ns_per_packet"] for r in runs])
                e["core_busy"] = quart([r["core_busy"] for r in runs])
            if method == "split":
                e["director_mpps_per_core"] = quart([r["director_mpps_per_core"] for r in runs])
                e["director_ns_per_packet"] = quart([r["director_ns_per_packet"] for r in runs])
                e["director_cpu_busy"] = quart([r["director_cpu_busy"] for r in runs])
            out["%s_%s" % (method, mode)] = e
    return out


def chart(rows, derived, machine, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    show = [r for r in rows if r["group"] in ("floor", "balancer", "decap")]
    show.reverse()
    labels = [r["label"].replace(" (", "\n(", 1) if len(r["label"]) > 70 else r["label"] for r in show]
    med = [r["median_ns"] for r in show]
    lo = [r["median_ns"] - r["p25_ns"] for r in show]
    hi = [r["p75_ns"] - r["median_ns"] for r in show]
    base = derived["harness_ns"] + derived["wrapper_ns"]
    floor = next(r["median_ns"] for r in rows if r["id"] == "floor_encap")
    colors = []
    for r in show:
        if r["group"] == "floor":
            colors.append("#9e9e9e")
        elif "target" in r:
            colors.append("#2e7d32" if r["target_met"] else "#c62828")
        elif r["group"] == "decap":
            colors.append("#6a1b9a")
        else:
            colors.append("#1565c0")
    fig, ax = plt.subplots(figsize=(13, 8.5), dpi=100)
    y = range(len(show))
    ax.barh(y, med, color=colors, xerr=[lo, hi], capsize=3, ecolor="black", zorder=2)
    ax.barh(y, [min(base, m) for m in med], color="white", alpha=0.45, hatch="//", edgecolor="#555555",
            linewidth=0, zorder=3, label="test-run harness + wrapper (%.0f ns, in every bar)" % base)
    ax.axvline(floor, color="black", linestyle="--", linewidth=1.2, zorder=4,
               label="floor: minimal IPIP encap, %.0f ns" % floor)
    for i, r in enumerate(show):
        if "target" in r:
            t = r["target"] * floor
            ax.plot([t, t], [i - 0.42, i + 0.42], color="black", linewidth=3, zorder=5)
            ax.annotate("target %.1fx" % r["target"], (t, i + 0.45), fontsize=8, ha="center", va="bottom")
        ax.annotate("%.0f ns  (%.1fx)" % (r["median_ns"], r["x_floor"][1]), (r["p75_ns"], i),
                    xytext=(6, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set_yticks(list(y))
    ax.set_yticklabels(labels, fontsize=8.5)
    ax.set_xlabel("ns per packet (median of interleaved rounds; whiskers: quartiles)")
    ax.set_title("xdplb per-packet cost, bpf_prog_test_run (JIT) through the bench wrapper\n%s, kernel %s\n"
                 % (machine.get("cpu", "?"), machine.get("kernel", "?")), fontsize=11, pad=14)
    ax.set_xlim(0, max(r["p75_ns"] for r in show) * 1.25)
    ax.grid(axis="x", alpha=0.3, zorder=0)
    top = ax.secondary_xaxis("top", functions=(lambda x: x / floor, lambda x: x * floor))
    top.set_xlabel("x floor (minimal IPIP encap)")
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D
    handles, _ = ax.get_legend_handles_labels()
    handles += [Patch(color="#2e7d32", label="scenario with a target: met"),
                Patch(color="#c62828", label="scenario with a target: missed"),
                Line2D([0], [0], color="black", linewidth=3, label="its target (x floor)"),
                Patch(color="#1565c0", label="balancer, no target"), Patch(color="#6a1b9a", label="decap")]
    ax.legend(handles=handles, loc="lower right", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)


def markdown(machine, k, rows, by, derived, live, cli, maglev, mapsync, kernel_raw):
    L = []
    w = L.append
    w("# Benchmarks")
    w("")
    w("Written by `make bench` (`scripts/bench.sh`, sources in `bench/` and "
      "`control-plane/src/test/java/io/xdplb/bench/`); do not edit by hand, run it again. "
      "Raw numbers: [benchmarks.json](benchmarks.json).")
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("| --- | --- |")
    for key, label in (("date", "run"), ("commit", "commit"), ("cpu", "CPU"), ("cpus", "CPUs"), ("memory", "memory"),
                       ("virtualization", "virtualization"), ("kernel", "kernel"), ("os", "OS"),
                       ("clang", "clang"), ("libbpf", "libbpf"), ("java", "JDK"), ("duration", "`make bench` took")):
        if machine.get(key):
            w("| %s | %s |" % (label, machine[key]))
    w("| BPF JIT | net.core.bpf_jit_enable = %s (every measured program is JIT-compiled; the bench checks) |"
      % k["jit_enable"])
    w("")
    spread = statistics.median((r["p75_ns"] - r["p25_ns"]) / r["median_ns"] for r in rows)
    w("A %s-CPU virtual machine that other work shared while the bench ran: in this run the quartiles of a "
      "per-packet figure are typically %.0f%% of its median apart, and the rounds of one scenario differ by "
      "more than that; ratios within a round move much less. Every figure below is a median of "
      "interleaved rounds, with its quartiles." % (machine.get("cpus", "?"), 100 * spread))
    w("")

    # ---------------------------------------------------------------- per packet
    w("## Per-packet cost in the kernel")
    w("")
    w("![ns per packet by scenario against the floor](benchmarks.png)")
    w("")
    w("`bpf_prog_test_run_opts` with `repeat`, %d interleaved rounds (every scenario once per round, "
      "the starting scenario rotating), each call running a scenario %s to %s times (about 10 ms of work; "
      "the SYN scenarios a fixed %s, see below). "
      "ns/packet is the kernel's own average per run for the call (an integer: resolution 1 ns). "
      "`x floor` is the scenario's ns divided by the minimal-encap floor's ns of the same round (median "
      "over rounds), both through the same wrapper, as the issue defines it; `x floor, net` first "
      "subtracts from both the cost of the wrapper around a bare `XDP_PASS` (test-run harness + "
      "wrapper + call, %.0f ns), i.e. compares only the programs' own work. Frames: TCP with the "
      "timestamp option, no payload (IPv4 66 bytes, IPv6 86 bytes), ring %s, connection table %s entries "
      "per CPU (the defaults; every run on CPU 0, whose table the scenarios fill)." % (k["rounds"], fmt(min(r["runs_per_round"] for r in rows)),
                            fmt(max(r["runs_per_round"] for r in rows)),
                            fmt(by["d_syn_insert"]["runs_per_round"]), derived["harness_ns"] + derived["wrapper_ns"], fmt(k["ring_size"]),
                            fmt(k["conn_table_size"])))
    w("")
    w("| scenario | ns/packet | quartiles | x floor | x floor, net | target | verified |")
    w("| --- | ---: | ---: | ---: | ---: | --- | --- |")
    for r in rows:
        if r["group"] == "harness":
            continue
        tgt = ""
        if "target" in r:
            x = r["x_floor"][1]
            tgt = ("<= %.1fx: **met**" % r["target"]) if r["target_met"] else \
                ("<= %.1fx: **missed** by %.2fx (+%.0f%%)" % (r["target"], x - r["target"], 100 * (x / r["target"] - 1)))
        net = r["x_floor_net"][1] if r["x_floor_net"] else None
        w("| %s | %.0f | %.0f-%.0f | %.2f | %s | %s | %s |" % (
            r["label"], r["median_ns"], r["p25_ns"], r["p75_ns"], r["x_floor"][1],
            "%.1f" % net if net is not None else "", tgt, "yes" if r["verified"] else "**NO**"))
    w("")
    w("The harness, measured in the same rounds:")
    w("")
    w("| | ns/packet |")
    w("| --- | ---: |")
    w("| bare `XDP_PASS` program, no wrapper (the test-run loop itself: `local_bh_disable`, dispatcher call, timer) | %.0f |"
      % by["bare_pass"]["median_ns"])
    w("| bare MAC swap, no wrapper | %.0f |" % by["bare_swap"]["median_ns"])
    w("| **wrapper's own cost** (wrapped `XDP_PASS` - bare `XDP_PASS`; restore + BPF-to-BPF call) | **%.0f** |"
      % derived["wrapper_ns"])
    w("| the same from the MAC swap (wrapped - bare) | %.0f |" % derived["wrapper_ns_from_swap"])
    w("")
    lens = kernel_raw.get("jited_func_lens", {})
    if lens:
        def same(prog):
            alone = lens.get("build/bpf/%s.bpf.o %s" % (prog, prog))
            bench = lens.get("bench wrap_%s" % prog)
            return alone is not None and bench is not None and sorted(alone) == sorted(bench[1:])
        verdict = ("the program's functions have exactly the JIT image sizes they have in the objects "
                   "`make build` makes" if same("balancer") and same("decap") else
                   "**the sizes differ from those of the objects `make build` makes**: the bench may not "
                   "measure the same code")
        w("The balancer and decap measured are compiled from `bpf/balancer.bpf.c` and `bpf/decap.bpf.c` "
          "unchanged (only the entry point is renamed, see Method). JIT image sizes in bytes per function, "
          "main first: " + "; ".join("%s %s" % (kk, vv) for kk, vv in lens.items()) + ": " + verdict + ".")
        w("")

    # why
    w("### Targets")
    w("")
    d = derived
    missed = [r for r in rows if "target" in r and not r["target_met"]]
    met = [r for r in rows if "target" in r and r["target_met"]]
    for r in met:
        w("- %s: %.2fx the floor (quartiles of the per-round ratio %.2f-%.2f), target %.1fx: met%s; "
          "net of the harness %.1fx." % (
            r["label"], r["x_floor"][1], r["x_floor"][0], r["x_floor"][2], r["target"],
            " (narrowly: within the spread)" if r["x_floor"][2] > r["target"] else "", r["x_floor_net"][1]))
    for r in missed:
        w("- %s: %.2fx the floor (quartiles %.2f-%.2f), target %.1fx: **missed by %.2fx (%.0f%% over)**; "
          "net of the harness %.1fx." % (
            r["label"], r["x_floor"][1], r["x_floor"][0], r["x_floor"][2], r["target"], r["x_floor"][1] - r["target"],
            100 * (r["x_floor"][1] / r["target"] - 1), r["x_floor_net"][1]))
    w("")
    w("The floors are measured in the same rounds, so a busy machine slows floor and scenario alike, but "
      "not in proportion: the harness's share (%.0f ns of the floor's %.0f here) grows with the load, so a "
      "loaded run gives lower ratios. Compare runs by the `x floor, net` column and the absolute ns%s."
      % (derived["harness_ns"] + derived["wrapper_ns"], by["floor_encap"]["median_ns"],
         "; this run's load average (1, 5, 15 min) was %s at its start and %s at its end" % (
             machine["loadavg_start"], machine["loadavg_end"]) if machine.get("loadavg_start") else ""))
    w("")
    w("Why, from the differences between scenarios of the same rounds (medians of per-round differences):")
    w("")
    w("- The floor's own work (adjust head, 34 bytes of headers, checksum) is about %.0f ns; it reads no map. "
      "The balancer's own work on a connection-table hit is about %.0f ns: parsing, a `vip2tnl` hash lookup, "
      "`lb_config`, this CPU's slot of the `conn_table` array of maps and the LRU lookup in that CPU's table "
      "(a 40-byte key), `reals`, four per-CPU counters, and the encapsulation with a cheap entropy mix for "
      "the GUE port / flow label. It no longer computes the flow's jhash (only the ring needs it) nor reads "
      "the clock (TCP; a UDP hit reads the coarse clock for its 30 s idle timeout). Parsing plus a missed "
      "VIP lookup alone (scenario e: two `vip2tnl` lookups, exact port then port 0) costs %.0f ns over the "
      "wrapped `XDP_PASS`. Each hash-map lookup costs tens of ns on this virtual machine; the floor has "
      "none, so a ratio to it is dominated by them."
      % (d["encap_floor_own_ns"], d["balancer_hit_own_ns"], d["parse_and_vip_miss_ns"]))
    w("- The connection-table path costs %+.0f ns against the ring alone (a0: the same VIP without "
      "connection tracking, which computes the jhash and reads the ring instead). GUE over IPv4 costs %+.0f ns "
      "against IPIP, IPv6 %+.0f ns against IPv4."
      % (d["conn_lookup_vs_ring_ns"], d["gue_over_ipip_ns"], d["ipv6_over_ipv4_ns"]))
    w("- The four counter updates of a hit (`lb_stats` verdict and `CONN_HIT`, `vip_stats`, `real_stats`) "
      "were left as they are: per-CPU array lookups are inlined by the verifier (a bounds check and a "
      "per-CPU offset, no call) and their lines stay in the CPU's cache, so folding them into one would save "
      "a few ns, against an incompatible change of the maps every reader (stats, metrics, tests) uses.")
    w("- A SYN that inserts a new flow costs %+.0f ns against the ring-only path; the same SYN in flood "
      "mode (no insert, counted `flood_bypass`) %+.0f ns: the flood check (a coarse clock read and "
      "this CPU's `flood_state`) is cheap, the insert is what costs (%+.0f ns). Of it, updating the entry "
      "of one flow over and over (d\", everything in cache) costs %+.0f ns over the ring: an LRU hash update "
      "takes a free element from the LRU lists, copies key and value, locks the bucket and links it in. "
      "The rest, %+.0f ns, are cache misses: every new flow touches a hash bucket and an LRU element "
      "nobody touched recently (%s inserts per round into a %s-entry table), which is what a real SYN "
      "does too. A full table adds %+.0f ns for the eviction (d'). Per-CPU tables take the LRU lists' "
      "cross-CPU contention away on a multi-core director; `bpf_prog_test_run` runs on one CPU, so this "
      "figure does not show that gain."
      % (d["syn_insert_over_ring_ns"], d["flood_over_ring_ns"], d["insert_over_flood_ns"],
         d["syn_update_hot_over_ring_ns"], d["syn_cold_over_hot_ns"],
         fmt(by["d_syn_insert"]["runs_per_round"]), fmt(k["conn_table_size"]), d["evict_over_insert_ns"]))
    if missed:
        w("- Missed here: %s. On this shared 2-CPU virtual machine the ratio of a scenario moves by the "
          "quartiles shown from round to round; a miss within them is noise of the machine, one beyond "
          "them is the cost described above." % ", ".join(r["id"] for r in missed))
    w("")

    # ---------------------------------------------------------------- live
    w("## Live forwarding through network namespaces")
    w("")
    w("Client namespace -> director namespace -> real-server namespace, on veths. The generator "
      "(`xdpbench gen`, the live-frames mode of `bpf_prog_test_run`, `BPF_F_TEST_XDP_LIVE_FRAMES`, like "
      "xdp-trafficgen) sends %d-byte UDP frames to the VIP, %d flows, as fast as its core allows. "
      "Director either xdplb (`xdplb attach --egress`: IPIP to the real, `bpf_redirect`) or plain kernel "
      "IP forwarding (a route for the VIP via the real; the `xdplb pass` `XDP_PASS` program on the "
      "ingress veth, without which a veth drops XDP frames). The real runs xdplb's decap program in both "
      "cases and its counters count the arrivals. %d rounds, modes interleaved."
      % (live["frame_bytes"], live["flows"], live["rounds"]))
    w("")
    ls = live["summary"]
    w("| | kernel forwarding | xdplb director | xdplb / kernel |")
    w("| --- | ---: | ---: | ---: |")
    oc_f, oc_x = ls.get("one_core_fwd"), ls.get("one_core_xdp")
    if oc_f and oc_x:
        w("| **Mpps per core, whole path on one core** (generator, director and real; delivered frames per CPU-second of that core) | %.3f | %.3f | **%.2fx** |"
          % (oc_f["mpps_per_core"][1], oc_x["mpps_per_core"][1], oc_x["mpps_per_core"][1] / oc_f["mpps_per_core"][1]))
        w("| CPU time of that core per delivered frame, ns | %.0f | %.0f | |"
          % (oc_f["core_ns_per_packet"][1], oc_x["core_ns_per_packet"][1]))
        w("| Mpps delivered, wall clock (lower when other processes took the core: it was busy with the path %.0f%% / %.0f%% of the time) | %.3f | %.3f | %.2fx |"
          % (100 * oc_f["core_busy"][1], 100 * oc_x["core_busy"][1], oc_f["delivered_mpps"][1], oc_x["delivered_mpps"][1],
             oc_x["delivered_mpps"][1] / oc_f["delivered_mpps"][1]))
    sp_f, sp_x = ls.get("split_fwd"), ls.get("split_xdp")
    if sp_f and sp_x:
        w("| **Mpps per director core** (director alone on its core; forwarded frames per CPU-second of its NAPI thread) | %.2f | %.2f | **%.2fx** |"
          % (sp_f["director_mpps_per_core"][1], sp_x["director_mpps_per_core"][1],
             sp_x["director_mpps_per_core"][1] / sp_f["director_mpps_per_core"][1]))
        w("| director CPU per forwarded frame, ns (quartiles) | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | |" % (
            sp_f["director_ns_per_packet"][1], sp_f["director_ns_per_packet"][0], sp_f["director_ns_per_packet"][2],
            sp_x["director_ns_per_packet"][1], sp_x["director_ns_per_packet"][0], sp_x["director_ns_per_packet"][2]))
        w("| director's thread busy during those runs | %.0f%% | %.0f%% | |" % (
            100 * sp_f["director_cpu_busy"][1], 100 * sp_x["director_cpu_busy"][1]))
    w("")
    arrived = sum(e["arrived_at_real"] for e in ls.values())
    rpf = sum(e["real_stack_rp_filter_drops"] for e in ls.values())
    w("- *Whole path on one core*: veth NAPI not threaded, so every softirq runs on the generator's CPU "
      "(CPU 1), in the generator's thread or in that CPU's `ksoftirqd`; their CPU time (thread CPU clock, "
      "`/proc/PID/schedstat`; this kernel has no IRQ time accounting, so softirqs are charged to the "
      "thread they interrupt) divided into the frames that arrived is the cost of the whole path per "
      "frame on one core, and its inverse the Mpps of one core. CPU time rather than wall time, because "
      "other processes share this machine's two CPUs. Generator and real server are in the figure too, "
      "which dilutes the director's difference. The real server has no route back to the client, so its stack drops the "
      "inner packets early, by reverse-path filter, in both modes alike (%s of the %s arrivals counted "
      "as `IPReversePathFilter` there): the real is not what is measured." % (fmt(rpf), fmt(arrived)))
    w("- *Director alone on its core*: the director's ingress NAPI runs threaded and alone on CPU 0 (generator and the "
      "real's NAPI thread share CPU 1); the CPU time of the director's thread (`/proc/PID/schedstat`) "
      "per forwarded packet is the director's cost, its wake-ups included, and its inverse the packets "
      "per second one fully busy director core would forward. The generator offers about 5 Mpps, more "
      "than either director takes, so the director's receive ring overflows while its thread is being "
      "woken (the thread is not busy all the time although frames are refused: the ring is 256 frames); "
      "and the real's thread, sharing CPU 1 with the generator, cannot keep up with the director, so the "
      "real's ring overflows too. Both are counted by the veths, below; delivered rates of this layout "
      "say nothing about the director. How busy the thread is changes its cost per frame (fewer frames "
      "per wake-up when it is less busy), hence the wide quartiles: an estimate, while the per-packet "
      "cost in the kernel above is the precise figure for the balancer alone.")
    w("")
    w("Every frame accounted for (sums over the rounds):")
    w("")
    w("| run | generated | refused by the director's receive ring | seen by the director | forwarded | "
      "dropped by the director | refused by the real's receive ring | arrived at the real | all accounted |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for key, name in (("one_core_fwd", "one core, kernel"), ("one_core_xdp", "one core, xdplb"),
                      ("split_fwd", "director alone, kernel"), ("split_xdp", "director alone, xdplb")):
        e = ls.get(key)
        if e:
            w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, fmt(e["frames"]), fmt(e["refused_by_director_ring"]), fmt(e["seen_by_director"]),
                fmt(e["forwarded"]), fmt(e["director_drops"]), fmt(e["refused_by_real_ring"]),
                fmt(e["arrived_at_real"]), "yes" if e["accounted"] else "**NO**"))
    w("")
    w("\"Seen\" is the director's own count: xdplb's `lb_stats` (every verdict reason, exactly one per "
      "frame), for the kernel the ingress veth's rx counter; \"forwarded\" is `TX`+`REDIRECT` or "
      "`IpForwDatagrams`; \"arrived\" the real's decap counters (IPIP stripped, or passed untouched). "
      "The director loses nothing it does not count: seen = forwarded + its own counted drops, and "
      "forwarded = arrived + what the real's ring refused (the veth's `tx_dropped`).")
    w("")
    fl = live.get("flood") or []
    if fl:
        w("### SYN flood against established flows")
        w("")
        one = [r for r in fl if r["method"] == "one_core"]
        w("The director attached with `--conn-table-size %d` (per CPU) and `--flood-threshold` as shown "
          "(125000, the default and katran's; 0 turns flood mode off, for contrast). First %s established "
          "flows (TCP ACKs from %s, ports %d-%d) go through it until `xdplb dump conn_table` shows every one "
          "in the table; then %s TCP SYNs from random sources (203.0.113.128-255, random ports: a new flow "
          "each), as fast as the generator goes; then `xdplb dump conn_table` again. Whole path on one core "
          "(as above), so that every frame reaches the director and both phases use that core's table."
          % (fl[0]["table_per_cpu"], fmt(10000), "203.0.113.2", 10000, 19999, fmt(fl[0]["frames"])))
        w("")
        w("| `--flood-threshold` | SYNs sent | seen by the director | forwarded to the real | inserted | "
          "not inserted (`flood_bypass`) | established flows in the table before / after | evicted | "
          "Mpps per core, whole path (wall clock) | all accounted |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for r in one:
            w("| %s | %s | %s | %s | %s | %s | %s / %s | **%s** | %s (%s) | %s |" % (
                fmt(r["flood_threshold"]) + ("" if r["flood_threshold"] else " (off)"), fmt(r["frames"]),
                fmt(r["seen_by_director"]), fmt(r["forwarded"]),
                fmt(r["lb"]["ring_used"] - r["lb"]["flood_bypass"]) + (" (table full)" if r["entries_after"] >= r["table_per_cpu"] - 1000 else ""),
                fmt(r["lb"]["flood_bypass"]), fmt(r["established_before"]), fmt(r["established_after"]),
                fmt(r["evicted"]), "%.3f" % r["mpps_per_core"] if r.get("mpps_per_core") else "n/a",
                "%.3f" % r["delivered_mpps"], "yes" if r["accounted"] else "**NO**"))
        w("")
        on = next((r for r in one if r["flood_threshold"]), None)
        off = next((r for r in one if not r["flood_threshold"]), None)
        if on and off:
            ins = on["lb"]["ring_used"] - on["lb"]["flood_bypass"]
            w("With flood mode, **%s of the %s established flows were evicted**: the CPU inserted new flows "
              "until its second passed the threshold, then only forwarded them (their real comes from the "
              "Maglev ring, the same real their later packets get); a window that follows an over-threshold "
              "one within a second inherits flood mode. The flood inserted %s flows, %.1f thresholds' worth "
              "(%s): the flood lasted %.1f s at the generator's %.2f Mpps. Without flood mode every SYN is "
              "inserted, the LRU fills and evicts the oldest entries: %s of the %s established flows were "
              "gone. The table is sized for the established flows plus what a flood may insert (%s per CPU); "
              "at the default size (65536 per CPU) a flood's first second alone (up to %s) would fill it."
              % (fmt(on["evicted"]), fmt(on["established_before"]), fmt(ins), ins / on["flood_threshold"],
                 "one window" if ins <= on["flood_threshold"] * 1.05 else
                 "more than one window's worth: the inheritance ends when a window begins more than a second "
                 "after the previous one ended, as when a flood stops and starts again; on this loaded machine "
                 "the generator is the likely cause, descheduled for that long",
                 on["seconds"], on["generated_mpps"], fmt(off["evicted"]),
                 fmt(off["established_before"]), fmt(on["table_per_cpu"]), fmt(on["flood_threshold"])))
            w("")
        sp = next((r for r in fl if r["method"] == "split"), None)
        if sp and sp.get("director_mpps_per_core"):
            w("The director alone on its core (the split layout above) during a flood of %s SYNs, flood mode "
              "on: **%.2f Mpps per director core** (%.0f ns of its thread's CPU per frame; it saw %s of the "
              "frames, its receive ring refused %s, the real's ring %s; all accounted: %s)." % (
                  fmt(sp["frames"]), sp["director_mpps_per_core"], sp["director_ns_per_packet"],
                  fmt(sp["seen_by_director"]), fmt(sp["refused_by_director_ring"]), fmt(sp["refused_by_real_ring"]),
                  "yes" if sp["accounted"] else "**NO**"))
            w("")

    # ---------------------------------------------------------------- control plane
    w("## Control plane")
    w("")
    w("| what | median | quartiles / range |")
    w("| --- | ---: | --- |")

    def cl(key, label):
        e = cli.get(key)
        if e:
            w("| %s | %.0f ms | %.0f-%.0f ms (%d runs) |" % (label, e["median_ms"], e["p25_ms"], e["p75_ms"], e["runs"]))
    cl("vip_list_launcher", "`./xdplb vip list` (the launcher: JDK lookup, then the JVM)")
    cl("vip_list_java", "`java <launcher's flags> -jar xdplb.jar vip list`")
    cl("vip_list_java_aot", "the same with JDK 25's AOT cache (`-XX:AOTCache`, trained on `vip list`)")
    cl("hello_world_launcher_flags", "JVM hello world, the launcher's flags (CDS on)")
    cl("hello_world_default_flags", "JVM hello world, default flags")
    if "aot_error" in cli:
        w("| AOT cache | not measured | %s |" % cli["aot_error"].splitlines()[-1])
    a = cli.get("apply_256x16_cli")
    if a:
        w("| `xdplb apply -f` of 256 VIPs x 16 reals onto an empty instance: JVM start, director object load, "
          "256 Maglev rings written, attach (maxVips 256, other sizes default) | %.1f s | %s s |"
          % (a["median_ms"] / 1000, ", ".join("%.1f" % (x / 1000) for x in a["runs"])))
    if mapsync:
        wm = mapsync["apply_256x16_warm"]
        w("| `MapSync.apply` of the same 256 x 16 through the Java API, warm JVM (first, cold: %.1f s) | %.1f s | %.1f-%.1f s (%d runs) |"
          % (mapsync["apply_256x16_first_ms"] / 1000, wm["median_ms"] / 1000, wm["p25_ms"] / 1000, wm["p75_ms"] / 1000, wm["samples"]))
        o = mapsync["apply_one_real_change"]
        w("| `MapSync.apply` adding one real to one of the 256 VIPs (one ring of 65537 slots rewritten and flipped) | %.1f ms | %.1f-%.1f ms (%d runs) |"
          % (o["median_ms"], o["p25_ms"], o["p75_ms"], o["samples"]))
    if maglev:
        for n in ("10", "100", "1000"):
            e = maglev["ring_build"].get(n)
            if e:
                w("| Maglev ring build, %s reals, %s slots (`Maglev.ring`, after %d warm-up builds) | %.2f ms | %.2f-%.2f ms (%d runs) |"
                  % (n, fmt(maglev["ring_size"]), e["warmup_runs"], e["median_ms"], e["p25_ms"], e["p75_ms"], e["samples"]))
    w("")
    if mapsync:
        r = mapsync["map_updates_per_second"]
        w("Map updates per second through the Java API (`TypedMap`, one `bpf()` call per update, or one per batch):")
        w("")
        w("| map | updates/s (median of 7 x 0.3 s) |")
        w("| --- | ---: |")
        w("| `reals` (array), single updates | %s |" % fmt(r["reals_array_single"]["median_per_second"]))
        w("| `vip2tnl` (hash), single updates | %s |" % fmt(r["vip2tnl_hash_single"]["median_per_second"]))
        w("| `ring` (array), batches of 65537 (`bpf_map_update_batch`) | %s slots/s |" % fmt(r["ring_array_batch"]["median_per_second"]))
        w("")
        w("The Java figures come from JUnit tests tagged `bench` (a warm-up loop, then timed samples; "
          "JMH is not used); JVM: %s, %s, %d CPUs, GC %s." % (
              mapsync["jvm"]["java_version"], mapsync["jvm"]["vm"], mapsync["jvm"]["processors"], mapsync["jvm"]["gc"]))
        w("")

    w("## Memory")
    w("")
    maps = live.get("maps", {})
    if maps:
        dmaps = {k2: v for k2, v in maps.items() if not k2.startswith("decap")}
        total = sum(v["bytes_memlock"] or 0 for v in dmaps.values())
        w("The director's maps at the default sizes (64 VIPs, 4096 reals, ring 65537, connection table 65536 per "
          "CPU), as `bpftool map show` reports them (`memlock`; the per-CPU maps and tables grow with the CPUs, %s here), "
          "total **%.1f MiB**:" % (machine.get("cpus", "?"), total / 2 ** 20))
        w("")
        w("| map | type | entries | memlock |")
        w("| --- | --- | ---: | ---: |")
        for name, v in sorted(dmaps.items(), key=lambda kv: -(kv[1]["bytes_memlock"] or 0)):
            w("| `%s` | %s | %s | %s |" % (name, v["type"], fmt(v["max_entries"]),
                                           "%.2f MiB" % (v["bytes_memlock"] / 2 ** 20) if v["bytes_memlock"] >= 2 ** 20
                                           else "%.1f KiB" % (v["bytes_memlock"] / 1024)))
        dec = {k2: v for k2, v in maps.items() if k2.startswith("decap")}
        if dec:
            w("")
            w("The real server's decap maps: %.1f KiB." % (sum(v["bytes_memlock"] or 0 for v in dec.values()) / 1024))
        w("")
    w("Peak RSS (GNU time's maximum resident set size):")
    w("")
    w("| process | peak RSS |")
    w("| --- | ---: |")
    for key, label in (("vip_list_launcher", "`./xdplb vip list`"), ("vip_list_java_aot", "`vip list` with the AOT cache"),
                       ("hello_world_launcher_flags", "JVM hello world (launcher's flags)")):
        if cli.get(key):
            w("| %s | %.0f MiB |" % (label, cli[key]["peak_rss_kb"] / 1024))
    if a:
        w("| `xdplb apply -f` of 256 VIPs x 16 reals | %.0f MiB |" % (a["peak_rss_kb"] / 1024))
    w("")

    # ---------------------------------------------------------------- method
    w("## Method")
    w("")
    w("- **Per-packet cost.** `bench/xdpbench kernel` (C, libbpf). `bpf_prog_test_run_opts` with `repeat` "
      "reruns a program on the frame it already modified, so every program runs inside a wrapper "
      "(`bench/bench_wrap.h`): the first run saves the frame's first 64 bytes and its length, every later "
      "run moves the head back by what the previous run added or removed and copies the 64 bytes back, then "
      "calls the program under test (a BPF-to-BPF call) and leaves its output in place. The programs "
      "under test are `bpf/balancer.bpf.c` and `bpf/decap.bpf.c` compiled into the bench objects with the "
      "same flags, their entry point renamed by a macro into a global, not inlined function "
      "(`bench/bench_balancer.bpf.c`); the JIT image sizes above show the code is the same. (An "
      "`freplace` extension of the unmodified objects was the first choice; this kernel refuses "
      "`BPF_PROG_TYPE_EXT` loads with `EPERM` even for root.) The floors (`bench/bench_floor.bpf.c`) "
      "go through the same wrapper.")
    w("- **Per-CPU connection tables.** The loader creates one LRU table per possible CPU in the balancer's "
      "`conn_table` array of maps, as `xdplb attach` does, and runs every test run on CPU 0 "
      "(`sched_setaffinity`), whose table the ACK scenarios' flows are put in and the SYN scenarios fill. "
      "`lb_config.flood_threshold` is set so high that the flood check runs on every new flow, as with the "
      "default threshold, without ever tripping; the flood scenario holds CPU 0's window in flood mode "
      "(`flood_state`: a window start in the future, `flooded` set).")
    w("- **Verification, before any timing, for every scenario**: one run is checked byte by byte "
      "(verdict, length, MACs, every outer header field, outer IPv4 checksum, the GUE-over-IPv6 UDP "
      "checksum, the inner packet unchanged; decap: exactly the inner frame); then one call with the round's "
      "`repeat` N must hand back exactly the single run's output, the wrapper must have run N times "
      "without a restore error, and the data path's own counters must each have grown by exactly N "
      "(`TX`, `CONN_HIT`, `RING_USED`, `PASS_NOT_VIP`, decap `IPIP4`/`GUE`). SYN scenario: the wrapper "
      "xors a per-run counter into the source port and address before the call, so each run is a new "
      "flow; after N runs the connection table must hold exactly N new entries and the output must equal "
      "a single run of the N-th flow (in flood mode: no new entry, `FLOOD_BYPASS` +N). The table is "
      "emptied (`lookup_and_delete_batch`) before each SYN call; for d' it is first filled to capacity.")
    w("- **Timing**: the kernel's per-call average (`duration`, integer ns, so 1 ns resolution). The "
      "wall time of the syscall is not used: each `BPF_PROG_TEST_RUN` call of an XDP program takes "
      "about %.0f ms more than its runs here, whatever the program (with `repeat` > 1 the kernel puts "
      "the program into the XDP dispatcher for the call, so that it is called directly as from a "
      "driver, and takes it out after)."
      % statistics.median(s["syscall_wall_ms_median"] - s["median_ns"] * s["runs_per_round"] / 1e6
                          for s in kernel_raw["scenarios"]))
    w("- **Live**: `bench/live.py` builds the namespaces (`xlbb<random>-cli|dir|rs`, documentation "
      "addresses only), drives the director and the real with the CLI (`xdplb attach`, `vip add`, "
      "`real add`, `realserver setup`, `pass attach`) under a temporary `XDPLB_STATE_DIR` and its own "
      "`--instance`, reads the counters from the pinned maps, and removes everything after.")
    w("- **Control plane**: `bench/cli.py` (wall times of whole processes, round-robin, medians; "
      "`/usr/bin/time -v`), and the JUnit classes `MaglevBench` and `MapSyncBench` (tag `bench`, "
      "excluded from the default build) run by Maven with `-Dgroups=bench`.")
    w("")
    return "\n".join(L) + "\n"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: report.py RESULTS_DIR DOCS_DIR")
    res, docs = sys.argv[1], sys.argv[2]
    machine = load(os.path.join(res, "machine.json"), {})
    k = load(os.path.join(res, "kernel.json"))
    live = load(os.path.join(res, "live.json"))
    cli = load(os.path.join(res, "cli.json"), {})
    maglev = load(os.path.join(res, "java", "maglev.json"), {})
    mapsync = load(os.path.join(res, "java", "mapsync.json"), {})
    rows, by, derived = kernel_section(k)
    live["summary"] = live_section(live)
    os.makedirs(docs, exist_ok=True)
    chart(rows, derived, machine, os.path.join(docs, "benchmarks.png"))
    md = markdown(machine, k, rows, by, derived, live, cli, maglev, mapsync, k)
    # the start-up and health-check sections are written by bench/startup.py and bench/healthcheck.py
    for own in ("startup.md", "healthcheck.md"):
        path = os.path.join(res, own)
        if os.path.exists(path):
            md = md.replace("## Memory", open(path).read() + "\n## Memory", 1)
    with open(os.path.join(docs, "benchmarks.md"), "w") as f:
        f.write(md)
    with open(os.path.join(docs, "benchmarks.json"), "w") as f:
        json.dump({"machine": machine, "per_packet": {"rows": rows, "derived": derived, "raw": k},
                   "live": live, "cli": cli, "maglev": maglev, "mapsync": mapsync,
                   "startup": load(os.path.join(res, "startup.json"), {}),
                   "healthcheck": load(os.path.join(res, "healthcheck.json"), {})}, f, indent=1)
    # the tables, for the terminal
    start = md.index("## Per-packet cost")
    print(md[start:md.index("## Method")])


if __name__ == "__main__":
    main()
