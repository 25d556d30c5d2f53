package org.plansync;

/** What a sync did. */
public final class SyncCounts {
  /** Local changes the server accepted. */
  public final long pushed;
  /** Local changes it refused: {@link Store#rejectedChanges()}. */
  public final long rejected;
  /** Other devices' changes applied to the store. */
  public final long pulled;
  /** Remote changes this version cannot apply, kept and retried (update the app). */
  public final long held;
  /** Changes wait because this device's clock is ahead of the server's. */
  public final boolean clockAhead;

  SyncCounts(long pushed, long rejected, long pulled, long held, boolean clockAhead) {
    this.pushed = pushed;
    this.rejected = rejected;
    this.pulled = pulled;
    this.held = held;
    this.clockAhead = clockAhead;
  }

  @Override
  public String toString() {
    return "pushed " + pushed + ", rejected " + rejected + ", pulled " + pulled + ", held "
        + held + (clockAhead ? ", clock ahead" : "");
  }
}
