package org.plansync;

/** A local change the server refused, as {@link Store#rejectedChanges()} lists it. */
public final class RejectedChange {
  private final long seq;
  private final String type;
  private final String recordId;
  private final String field;
  private final int reason;
  private final String message;

  RejectedChange(
      long seq, String type, String recordId, String field, int reason, String message) {
    this.seq = seq;
    this.type = type;
    this.recordId = recordId;
    this.field = field;
    this.reason = reason;
    this.message = message;
  }

  /** The change's number on this device. */
  public long seq() {
    return seq;
  }

  /** The record's full type name, e.g. "plansync.v1.Plan". */
  public String type() {
    return type;
  }

  public String recordId() {
    return recordId;
  }

  /** The field written, or "" for a log entry. */
  public String field() {
    return field;
  }

  /** Why (plansync.v1.Reason), e.g. ROLE_NOT_PERMITTED. */
  public int reason() {
    return reason;
  }

  public String reasonName() {
    return Native.reasonName(reason);
  }

  /** The server's message, for a person. */
  public String message() {
    return message;
  }
}
