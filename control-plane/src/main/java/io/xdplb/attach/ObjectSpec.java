package io.xdplb.attach;

import io.xdplb.libbpf.BpfObject;
import io.xdplb.maps.AbiCheck;
import io.xdplb.maps.Codec;

import java.util.List;

/**
 * The one descriptor of a BPF object of the jar (bpf/NAME.bpf.c): its program (named like
 * the object), the maps an instance pins (by name), and the ABI structs those maps hold, for
 * the BTF check. Loading, pinning, opening and unpinning all read this one list.
 */
public record ObjectSpec(String name, List<String> maps, List<Codec<?>> codecs) {
    /** What an object needs around its load: sizes before it (the lambda), maps filled in after it. */
    @FunctionalInterface
    public interface Setup {
        void beforeLoad(BpfObject obj);

        /** E.g. the balancer's per-CPU connection tables, which only a loaded array of maps can hold. */
        default void afterLoad(BpfObject obj) {}
    }

    public ObjectSpec {
        maps = List.copyOf(maps);
        codecs = List.copyOf(codecs);
    }

    /** Opens the object from the jar, checks its ABI, lets setup size it, loads it and lets setup fill it. */
    public BpfObject load(Setup setup) {
        BpfObject obj = BpfObject.fromResource(name);
        try {
            AbiCheck.verify(name, obj.btf(), codecs);
            setup.beforeLoad(obj);
            obj.load();
            setup.afterLoad(obj);
            return obj;
        } catch (RuntimeException e) {
            obj.close();
            throw e;
        }
    }

    public BpfObject load() {
        return load(o -> {});
    }
}
