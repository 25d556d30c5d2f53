package org.plansync;

/** What a background replicator is doing, as its listener hears it. */
public final class ReplicatorStatus {
  /** The replicator's states. */
  public enum State {
    /** Not running: the last status. */
    STOPPED,
    /** A sync began: reaching the server. */
    CONNECTING,
    /** The last sync succeeded; waiting. */
    IDLE,
    /** Pushing or pulling: see {@link #phase}, {@link #done} and {@link #total}. */
    BUSY,
    /** The server could not be reached: see {@link #error} and {@link #retryInMs}. */
    OFFLINE,
    /** The server refused the sync: see {@link #error} and {@link #retryInMs}. */
    ERROR
  }

  /** The phases of a sync. */
  public enum Phase {
    CONNECT,
    PUSH,
    PULL,
    DONE
  }

  public final State state;
  /** BUSY: PUSH or PULL. */
  public final Phase phase;
  /** BUSY: changes pushed or pulled so far, and the total (-1 while unknown). */
  public final long done;

  public final long total;
  /** IDLE: what the sync that just ended did. */
  public final SyncCounts counts;
  /** OFFLINE, ERROR: why the last sync failed; null otherwise. */
  public final PlansyncException error;
  /** OFFLINE, ERROR: milliseconds until the next attempt. */
  public final long retryInMs;
  /** Syncs ended (successful or not) since the replicator started. */
  public final long syncs;

  ReplicatorStatus(
      State state,
      Phase phase,
      long done,
      long total,
      SyncCounts counts,
      PlansyncException error,
      long retryInMs,
      long syncs) {
    this.state = state;
    this.phase = phase;
    this.done = done;
    this.total = total;
    this.counts = counts;
    this.error = error;
    this.retryInMs = retryInMs;
    this.syncs = syncs;
  }

  @Override
  public String toString() {
    switch (state) {
      case BUSY:
        return "BUSY " + phase + " " + done + "/" + total;
      case IDLE:
        return "IDLE (" + counts + ")";
      case OFFLINE:
      case ERROR:
        return state + " (" + error + "), retry in " + retryInMs + " ms";
      default:
        return state.toString();
    }
  }
}
