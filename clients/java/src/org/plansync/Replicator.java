package org.plansync;

/**
 * A background replicator ({@link Store#startReplicator}): it syncs at once, soon
 * after each local commit, when the server says a bucket of the user changed, and
 * every minute; it retries an unreachable server with a growing backoff (0.1 s to
 * 10 s). {@link #close()} stops it (not from its listener, nor inside a write
 * transaction): it waits for a call to the server in progress, then the listener
 * hears STOPPED on the closing thread, its last call.
 */
public final class Replicator extends Registration {
  Replicator(Store store, long handle) {
    super(store, handle);
  }

  @Override
  void release(long handle) {
    Native.stopReplicator(handle);
  }
}
