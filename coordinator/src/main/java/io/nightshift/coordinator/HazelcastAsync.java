package io.nightshift.coordinator;

import com.hazelcast.internal.util.ConcurrencyUtil;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The executor Hazelcast completes its async futures on (map writes' {@code setAllAsync}, and every
 * operation offloaded to a MapStore). Hazelcast 5 uses {@link ForkJoinPool#commonPool()} when its
 * parallelism is above 1 and otherwise <b>starts a new thread for every completion</b>: on a 2-core
 * machine the common pool's parallelism is 1, so each durable map write cost a thread start (JFR on an
 * idle coordinator: 2,228 threads started by {@code ConcurrencyUtil} for 20 submits). There we install a
 * cached pool instead: the same semantics (a completion never waits for another one, so nothing can
 * deadlock on a bounded pool) with idle threads reused for a minute. Process-wide and idempotent.
 */
final class HazelcastAsync {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private static volatile ExecutorService installed;

    private HazelcastAsync() {
    }

    /** Installs the pool when Hazelcast would start a thread per completion; returns the executor in use. */
    static synchronized Executor install() {
        Executor current = ConcurrencyUtil.getDefaultAsyncExecutor();
        if (installed != null || current instanceof ForkJoinPool) return current;
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "nightshift-hz-async-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        installed = pool;
        ConcurrencyUtil.setDefaultAsyncExecutor(pool);
        return pool;
    }
}
