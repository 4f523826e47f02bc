package io.xdplb.datapath;

/** enum xdplb_stat of bpf/include/xdplb_abi.h, in its order: the index into lb_stats. */
enum Stat {
    PASS_NOT_IP, PASS_NOT_VIP, TX, REDIRECT, DROP_MALFORMED, DROP_FRAGMENT, DROP_NO_REAL, DROP_NO_CONFIG,
    DROP_ENCAP_FAILED, DROP_UNSUPPORTED, CONN_HIT, CONN_MISS, RING_USED, ICMP_ECHO_REPLY, ICMP_FORWARDED,
    TOO_BIG_SENT, FLOOD_BYPASS
}
