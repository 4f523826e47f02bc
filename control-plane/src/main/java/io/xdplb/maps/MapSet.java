package io.xdplb.maps;

import io.xdplb.libbpf.BpfMap;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The maps a typed view opened, by name, so the view closes exactly what it opened. Typed
 * views bind each field with {@code open("name")}: never by position in a list.
 */
public final class MapSet implements AutoCloseable {
    private final Function<String, BpfMap> opener;
    private final List<BpfMap> opened = new ArrayList<>();

    public MapSet(Function<String, BpfMap> opener) {
        this.opener = opener;
    }

    public BpfMap open(String name) {
        try {
            BpfMap m = opener.apply(name);
            opened.add(m);
            return m;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public List<BpfMap> all() {
        return List.copyOf(opened);
    }

    @Override
    public void close() {
        for (BpfMap m : opened) m.close();
        opened.clear();
    }
}
