package org.plansync;

/** Called by the native side with a status's fields; hands the app's listener one. */
final class ReplicatorBridge {
  private static final ReplicatorStatus.State[] STATES = ReplicatorStatus.State.values();
  private static final ReplicatorStatus.Phase[] PHASES = ReplicatorStatus.Phase.values();

  private final ReplicatorListener listener;

  ReplicatorBridge(ReplicatorListener listener) {
    this.listener = listener;
  }

  void onNative(
      int state,
      int phase,
      long done,
      long total,
      long pushed,
      long rejected,
      long pulled,
      long held,
      boolean clockAhead,
      int errorCode,
      int errorReason,
      String errorMessage,
      long retryInMs,
      long syncs) {
    if (listener == null || state < 0 || state >= STATES.length) {
      return;
    }
    ReplicatorStatus status =
        new ReplicatorStatus(
            STATES[state],
            phase >= 0 && phase < PHASES.length ? PHASES[phase] : ReplicatorStatus.Phase.CONNECT,
            done,
            total,
            new SyncCounts(pushed, rejected, pulled, held, clockAhead),
            errorMessage == null ? null : new PlansyncException(errorCode, errorReason, errorMessage),
            retryInMs,
            syncs);
    try {
      listener.onStatus(status);
    } catch (RuntimeException | Error e) {
      Thread thread = Thread.currentThread();
      thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
    }
  }
}
