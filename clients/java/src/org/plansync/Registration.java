package org.plansync;

/**
 * Something a store started that runs until closed (an observation, a
 * replicator). Closing it is idempotent; closing the store closes it first.
 */
abstract class Registration implements AutoCloseable {
  private final Store store;
  private long handle;

  Registration(Store store, long handle) {
    this.store = store;
    this.handle = handle;
  }

  /** Ends the native registration `handle`. */
  abstract void release(long handle);

  @Override
  public void close() {
    long h;
    synchronized (this) {
      h = handle;
      handle = 0;
    }
    if (h != 0) {
      store.forget(this);
      release(h);
    }
  }
}
