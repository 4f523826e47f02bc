package io.xdplb.testing;

import io.xdplb.libbpf.Libc;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Enables root-tier tests only for root; otherwise reports them skipped, with the reason. */
public final class RootCondition implements ExecutionCondition {
    private static boolean warned;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Libc.isRoot()) return ConditionEvaluationResult.enabled("running as root");
        synchronized (RootCondition.class) {
            if (!warned) {
                System.err.println("xdplb tests: not root, so the root tiers (data path, end to end) are SKIPPED");
                warned = true;
            }
        }
        return ConditionEvaluationResult.disabled("needs root (BPF, network namespaces): skipped");
    }
}
