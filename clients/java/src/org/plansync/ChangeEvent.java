package org.plansync;

import java.util.Collections;
import java.util.List;

/**
 * What one committed transaction changed: each record once, and the buckets
 * ("student/ID", "directory") dropped whole because the user lost access to them.
 */
public final class ChangeEvent {
  /** A record a transaction changed. */
  public static final class ChangedRecord {
    /** The full type name, e.g. "plansync.v1.LapseReport". */
    public final String type;

    public final String id;
    /** A sync made the change (a pulled change, a refused local write removed). */
    public final boolean remote;

    ChangedRecord(String type, String id, boolean remote) {
      this.type = type;
      this.id = id;
      this.remote = remote;
    }

    @Override
    public String toString() {
      return type + " " + id + (remote ? " (remote)" : "");
    }
  }

  public final List<ChangedRecord> records;
  public final List<String> evictedBuckets;

  ChangeEvent(List<ChangedRecord> records, List<String> evictedBuckets) {
    this.records = Collections.unmodifiableList(records);
    this.evictedBuckets = Collections.unmodifiableList(evictedBuckets);
  }
}
