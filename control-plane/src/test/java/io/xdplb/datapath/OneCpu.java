package io.xdplb.datapath;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Callable;

/**
 * Runs the data-path tests' bpf_prog_test_run calls on one thread bound to CPU 0
 * (sched_setaffinity), because the director keeps one connection table per CPU and the kernel
 * runs an XDP test run on whichever CPU the calling thread is on: a test whose SYN landed on one
 * CPU and whose ACK on another would see a miss a real NIC (one receive queue per flow) never
 * shows. bpf_prog_test_run's own CPU option is for other program types only.
 */
final class OneCpu {
    private OneCpu() {}

    /** Where {@link Director#run} runs. */
    static final int CPU = 0;

    private static final Map<Integer, ExecutorService> THREADS = new ConcurrentHashMap<>();

    private static ExecutorService thread(int cpu) {
        return THREADS.computeIfAbsent(cpu, n -> Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(() -> {
                bind(n);
                r.run();
            }, "datapath-cpu" + n);
            t.setDaemon(true);
            return t;
        }));
    }

    static <T> T call(Callable<T> c) {
        return call(CPU, c);
    }

    /** Calls c on a thread bound to this CPU. */
    static <T> T call(int cpu, Callable<T> c) {
        try {
            return thread(cpu).submit(c).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error er) throw er;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** sched_setaffinity(0, sizeof mask, {cpu}) for the calling thread. */
    private static void bind(int cpu) {
        Linker linker = Linker.nativeLinker();
        MethodHandle setaffinity = linker.downcallHandle(linker.defaultLookup().findOrThrow("sched_setaffinity"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mask = arena.allocate(128);
            mask.set(ValueLayout.JAVA_LONG, (cpu / 64) * 8L, 1L << (cpu % 64));
            int rc = (int) setaffinity.invokeExact(0, 128L, mask);
            if (rc != 0) throw new IllegalStateException("sched_setaffinity(CPU " + cpu + ") failed");
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
