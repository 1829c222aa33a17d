package dev.tandem.session;

/**
 * The cluster's one quorum rule: a strict majority of the configured nodes. While one side holds
 * it, no other side can (a node name is one host and port), so only that side may serve sessions.
 */
final class Majority {
    private Majority() {}

    static boolean of(int members, int configuredNodes) {
        return members * 2 > configuredNodes;
    }
}
