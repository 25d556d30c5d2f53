package org.plansync;

/**
 * A write transaction of the thread that began it ({@link Store#beginWrite()}): the
 * thread's writes until {@link #commit()} become durable, visible to other threads,
 * observed and synced together, or not at all. Use it in try-with-resources:
 * closing it without a commit rolls it back. Other threads' writes wait while it is
 * open; it must be committed or closed on the thread that began it.
 */
public final class WriteTransaction implements AutoCloseable {
  private final Store store;
  private boolean open = true;

  WriteTransaction(Store store) {
    this.store = store;
  }

  /** Commits: the writes are on disk (with {@link Durability#FULL}) when it returns. */
  public void commit() throws PlansyncException {
    if (!open) {
      throw new IllegalStateException("the transaction is over");
    }
    open = false;
    Native.commit(store.handle());
  }

  /** Rolls back unless committed: none of the writes is stored. */
  @Override
  public void close() {
    if (open) {
      open = false;
      Native.rollback(store.handle());
    }
  }
}
