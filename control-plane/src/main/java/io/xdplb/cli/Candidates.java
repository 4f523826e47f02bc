package io.xdplb.cli;

import io.xdplb.model.Encap;
import io.xdplb.model.VipFlag;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Values shell completion offers for options that take a word (picocli completionCandidates). */
final class Candidates {
    private Candidates() {}

    static final class Modes implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return List.of("native", "generic").iterator();
        }
    }

    static final class Encaps implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> out = new ArrayList<>();
            for (Encap e : Encap.values()) out.add(e.label());
            return out.iterator();
        }
    }

    static final class Flags implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            List<String> out = new ArrayList<>();
            for (VipFlag f : VipFlag.values()) out.add(f.label());
            return out.iterator();
        }
    }
}
