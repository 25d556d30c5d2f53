package org.plansync;

/**
 * Hears a replicator's states and progress. It runs on the replicator's own thread
 * (the last call, STOPPED, on the thread that stops it); it may use the store but
 * not close it, nor stop its own replicator.
 */
@FunctionalInterface
public interface ReplicatorListener {
  void onStatus(ReplicatorStatus status);
}
