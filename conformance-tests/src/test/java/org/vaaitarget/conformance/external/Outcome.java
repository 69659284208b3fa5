package org.vaaitarget.conformance.external;

/** What happened to one libiscsi test. Only PASS is a pass: libiscsi reports SKIPPED tests as "passed". */
enum Outcome {
    PASS,
    /** CUnit said "passed" but the test logged [SKIPPED] (usually: the target does not implement something). */
    SKIP,
    FAIL,
    /** Started and never finished before the time limit. */
    HUNG,
    /** iscsi-test-cu died during the test (signal or abnormal exit). */
    CRASH,
    /** Never started (login failed, or the run stopped before it). */
    NOTRUN
}
