package io.xdplb.attach;

import io.xdplb.libbpf.BpfObject;
import io.xdplb.maps.AbiCheck;
import io.xdplb.maps.Codec;

import java.util.List;
import java.util.function.Consumer;

/**
 * The one descriptor of a BPF object of the jar (bpf/NAME.bpf.c): its program (named like
 * the object), the maps an instance pins (by name), and the ABI structs those maps hold, for
 * the BTF check. Loading, pinning, opening and unpinning all read this one list.
 */
public record ObjectSpec(String name, List<String> maps, List<Codec<?>> codecs) {
    public ObjectSpec {
        maps = List.copyOf(maps);
        codecs = List.copyOf(codecs);
    }

    /** Opens the object from the jar, checks its ABI, lets configure size it, and loads it. */
    public BpfObject load(Consumer<BpfObject> configure) {
        BpfObject obj = BpfObject.fromResource(name);
        try {
            AbiCheck.verify(name, obj.btf(), codecs);
            configure.accept(obj);
            obj.load();
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
