package org.plansync;

/**
 * Hears each committed transaction that changed records ({@link Store#observe}). It
 * runs on the thread that committed: the app's thread for its own writes, the
 * syncing thread (a replicator's own) for pulled pages. It may read and write the
 * store but not close it. An exception it throws goes to the thread's uncaught
 * exception handler; the store is not affected.
 */
@FunctionalInterface
public interface Observer {
  void onChange(ChangeEvent event);
}
