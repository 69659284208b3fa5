package org.vaaitarget.core.store.rbd;

/** The errno values librbd returns (negated) that this package tells apart; Linux numbering. */
final class Errno {
    static final int ENOENT = 2;
    static final int EIO = 5;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int ENOSPC = 28;
    static final int EDQUOT = 122;
    static final int EROFS = 30;
    static final int ETIMEDOUT = 110;
    static final int ESHUTDOWN = 108;
    static final int EBLOCKLISTED = 108; // Ceph's EBLOCKLISTED is ESHUTDOWN
    static final int EILSEQ = 84;
    static final int ERANGE = 34;
    static final int EOVERFLOW = 75;
    static final int ECANCELED = 125;

    private Errno() {
    }

    /** "ENOENT (2)" style, with a hint where one helps the operator. */
    static String describe(int errno) {
        return switch (errno) {
            case ENOENT -> "ENOENT (no such pool, image or conf file)";
            case EACCES -> "EACCES (permission denied: check the user's caps and keyring)";
            case 1 -> "EPERM (permission denied: check the user's caps and keyring)";
            case EEXIST -> "EEXIST";
            case EINVAL -> "EINVAL (invalid argument)";
            case ENOSPC -> "ENOSPC (cluster full)";
            case EDQUOT -> "EDQUOT (pool quota reached)";
            case ETIMEDOUT -> "ETIMEDOUT (the monitors did not answer: check mon_host and the network)";
            case ESHUTDOWN -> "ESHUTDOWN (this client is blocklisted)";
            case EROFS -> "EROFS (read-only)";
            case EILSEQ -> "EILSEQ (compare mismatch)";
            default -> "errno " + errno;
        };
    }
}
