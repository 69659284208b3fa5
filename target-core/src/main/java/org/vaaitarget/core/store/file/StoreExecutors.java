package org.vaaitarget.core.store.file;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The bounded executors that run a store's blocking file calls (DESIGN 3, "Store executor"). */
final class StoreExecutors {
    static final int DEFAULT_THREADS = 4;
    static final int DEFAULT_QUEUE = 256;

    private StoreExecutors() {
    }

    /**
     * A fixed pool of daemon threads named after the store, with a bounded queue that rejects (never blocks)
     * when full; idle threads exit after 30 s.
     */
    static ThreadPoolExecutor newExecutor(String name, int threads, int queueCapacity) {
        AtomicInteger counter = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "store-io-" + name + "-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(queueCapacity), factory, new ThreadPoolExecutor.AbortPolicy());
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
