package io.xdplb.datapath;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the data-path test classes: one loaded director object per class, every table
 * emptied and the standard lb_config written before each test. Subclasses carry @RootOnly.
 */
abstract class DataPathTest {
    static Director lb;

    @BeforeAll
    static void loadDirector() {
        lb = new Director();
    }

    @AfterAll
    static void closeDirector() {
        if (lb != null) lb.close();
        lb = null;
    }

    @BeforeEach
    void emptyTables() {
        lb.reset();
    }
}
