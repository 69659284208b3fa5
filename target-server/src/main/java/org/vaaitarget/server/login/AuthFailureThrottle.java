package org.vaaitarget.server.login;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down guessing of CHAP secrets: the answer to a failed authentication is delayed, per source
 * address, by 1 s after the first recent failure, doubling with each further one up to 16 s. A success
 * from the address, or {@link #FORGET_AFTER} without failures, starts it over. The delay is applied by
 * scheduling the Login Response on the event loop (never by sleeping). Thread-safe; bounded to
 * {@link #MAX_ADDRESSES} addresses (the least recently failed are forgotten first).
 */
public final class AuthFailureThrottle {
    public static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    public static final Duration MAX_DELAY = Duration.ofSeconds(16);
    public static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    static final int MAX_ADDRESSES = 4096;

    private record Failures(int count, long lastNanos) {
    }

    private final LongSupplier nanoClock;
    private final Map<String, Failures> failures = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
            return size() > MAX_ADDRESSES;
        }
    };

    public AuthFailureThrottle() {
        this(System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds (tests pass a fake one) */
    public AuthFailureThrottle(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** Records a failed authentication from {@code source} and returns how long to wait before answering. */
    public synchronized Duration failed(String source) {
        long now = nanoClock.getAsLong();
        Failures f = failures.get(source);
        int count = f == null || now - f.lastNanos() > FORGET_AFTER.toNanos() ? 1 : f.count() + 1;
        failures.put(source, new Failures(count, now));
        int shift = Math.min(count - 1, 30);
        Duration delay = FIRST_DELAY.multipliedBy(1L << shift);
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    /** A successful authentication from {@code source} clears its failures. */
    public synchronized void succeeded(String source) {
        failures.remove(source);
    }
}
