package org.vaaitarget.conformance.external;

/**
 * @param name    {@code Suite.Test}, like {@code Read10.BeyondEol}
 * @param outcome what happened
 * @param detail  the reason (the [SKIPPED] line, the failed asserts, the tail of the output), or ""
 */
record TestResult(String name, Outcome outcome, String detail) {
}
