package org.plansync;

/**
 * The native methods of the binding, one per function of the C API
 * (plansync.h), on raw handles. Package-private: apps use {@link Store}.
 * Loads {@code libplansync_jni} (which links libplansync) from
 * {@code java.library.path}, or from the file the system property
 * {@code plansync.jni} names.
 */
final class Native {
  static {
    String path = System.getProperty("plansync.jni");
    if (path != null && !path.isEmpty()) {
      System.load(path);
    } else {
      System.loadLibrary("plansync_jni");
    }
  }

  private Native() {}

  static native String version();

  static native String codeName(int code);

  static native String reasonName(int reason);

  static native long open(String path, String principalId, int durability)
      throws PlansyncException;

  static native void close(long store);

  static native String principalId(long store);

  static native String replicaId(long store);

  static native void beginWrite(long store) throws PlansyncException;

  static native void commit(long store) throws PlansyncException;

  static native void rollback(long store);

  static native String create(long store, String type, byte[] record)
      throws PlansyncException;

  static native String append(long store, String type, byte[] entry)
      throws PlansyncException;

  static native void update(long store, String type, byte[] values, String[] fields)
      throws PlansyncException;

  static native void archive(long store, String type, String id) throws PlansyncException;

  static native byte[] get(long store, String type, String id) throws PlansyncException;

  static native byte[][] list(
      long store, String type, String field, String value, boolean includeArchived)
      throws PlansyncException;

  static native long count(
      long store, String type, String field, String value, boolean includeArchived)
      throws PlansyncException;

  static native byte[] planInEffect(long store, String studentId, String day)
      throws PlansyncException;

  static native byte[] teacherDay(long store, String day, String classOrPeriod)
      throws PlansyncException;

  static native byte[] studentHistory(long store, String studentId, String from, String to)
      throws PlansyncException;

  static native long pendingCount(long store) throws PlansyncException;

  static native String today(long store) throws PlansyncException;

  static native RejectedChange[] rejectedChanges(long store) throws PlansyncException;

  static native long observe(long store, ObserverBridge bridge) throws PlansyncException;

  static native void unobserve(long observation);

  /** Returns pushed, rejected, pulled, held, clock ahead (0 or 1). */
  static native long[] sync(
      long store, String server, String token, String tokenFile, String caFile, int direction)
      throws PlansyncException;

  static native long startReplicator(
      long store,
      String server,
      String token,
      String tokenFile,
      String caFile,
      ReplicatorBridge bridge)
      throws PlansyncException;

  static native void stopReplicator(long replicator);
}
