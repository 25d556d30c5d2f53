package org.plansync;

/**
 * A background replicator ({@link Store#startReplicator}): it syncs at once, soon
 * after each local commit, when the server says a bucket of the user changed, and
 * every minute; it retries an unreachable server with a growing backoff (0.1 s to
 * 10 s). {@link #close()} stops it: it waits for a call to the server in progress,
 * then the listener hears STOPPED on the closing thread, its last call.
 */
public final class Replicator implements AutoCloseable {
  private final Store store;
  private long handle;

  Replicator(Store store, long handle) {
    this.store = store;
    this.handle = handle;
  }

  /** Stops the replicator. Not from its listener, nor inside a write transaction. */
  @Override
  public void close() {
    long h;
    synchronized (this) {
      h = handle;
      handle = 0;
    }
    if (h != 0) {
      store.forget(this);
      Native.stopReplicator(h);
    }
  }
}
