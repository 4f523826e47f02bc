/*
 * Input header for jextract: the libbpf API surface used by the xdplb
 * control plane. Only libbpf's (and the kernel UAPI) headers are included;
 * the actual selection of symbols is done by includes.txt.
 * See README.md in this directory.
 */
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>     /* BPF_ANY, BPF_XDP, BPF_MAP_TYPE_*, bpf_*_info, ... */
#include <linux/if_link.h> /* XDP_FLAGS_*, XDP_ATTACHED_* */
