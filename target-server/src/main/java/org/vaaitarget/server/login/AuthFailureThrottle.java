package org.vaaitarget.server.login;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Slows down guessing of CHAP secrets: the answer to a failed authentication is delayed, per source
 * address, by 1 s after the first recent failure, doubling with each further one up to 16 s. A success
 * from the address, or {@link #FORGET_AFTER} without failures, starts it over. The delay is applied by
 * scheduling the Login Response on the event loop (never by sleeping). Thread-safe; bounded to
 * {@link #MAX_ADDRESSES} addresses (a Caffeine cache: expiry after the last failure, size-bounded
 * eviction, and a ticker that tests can drive).
 */
public final class AuthFailureThrottle {
    public static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    public static final Duration MAX_DELAY = Duration.ofSeconds(16);
    public static final Duration FORGET_AFTER = Duration.ofMinutes(10);
    static final int MAX_ADDRESSES = 4096;

    /** Recent failures per source address; an entry expires FORGET_AFTER after its last failure. */
    private final Cache<String, Integer> failures;

    public AuthFailureThrottle() {
        this(System::nanoTime);
    }

    /** @param nanoClock a monotonic clock in nanoseconds (tests pass a fake one) */
    public AuthFailureThrottle(LongSupplier nanoClock) {
        this.failures = Caffeine.newBuilder()
                .maximumSize(MAX_ADDRESSES)
                .expireAfterWrite(FORGET_AFTER)
                .ticker(nanoClock::getAsLong)
                .executor(Runnable::run) // maintenance inline: logins are rare, no pool thread needed
                .build();
    }

    /** Records a failed authentication from {@code source} and returns how long to wait before answering. */
    public Duration failed(String source) {
        int count = failures.asMap().merge(source, 1, Integer::sum);
        int shift = Math.min(count - 1, 30);
        Duration delay = FIRST_DELAY.multipliedBy(1L << shift);
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }

    /** A successful authentication from {@code source} clears its failures. */
    public void succeeded(String source) {
        failures.invalidate(source);
    }
}
