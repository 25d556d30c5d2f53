package org.plansync;

/** What a sync does after saying hello to the server. */
public enum SyncDirection {
  /** Push the pending changes, then pull. */
  BOTH,
  /** Push; pull nothing. */
  PUSH_ONLY,
  /** Pull; leave the pending changes. */
  PULL_ONLY
}
