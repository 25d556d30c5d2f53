package org.plansync;

/**
 * An observer's registration. {@link #close()} ends it: when it returns the observer
 * is not running on any other thread and is never called again.
 */
public final class Observation implements AutoCloseable {
  private final Store store;
  private long handle;

  Observation(Store store, long handle) {
    this.store = store;
    this.handle = handle;
  }

  /** Ends the registration; may be called from the observer itself. Idempotent. */
  @Override
  public void close() {
    long h;
    synchronized (this) {
      h = handle;
      handle = 0;
    }
    if (h != 0) {
      store.forget(this);
      Native.unobserve(h);
    }
  }
}
