package org.plansync;

/**
 * A call the store or the server refused: the canonical status {@link #code()} (the
 * numbers of gRPC, e.g. 3 for INVALID_ARGUMENT), plansync's {@link #reason()} when
 * the refusal has one (plansync.v1.Reason in errors.proto, 0 otherwise), and a
 * message for a person, which never holds a token. Nothing stored changes when a
 * call throws it.
 */
public final class PlansyncException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final int reason;

  PlansyncException(int code, int reason, String message) {
    super(message);
    this.code = code;
    this.reason = reason;
  }

  /** The canonical status code, e.g. 3 (INVALID_ARGUMENT), 7 (PERMISSION_DENIED). */
  public int code() {
    return code;
  }

  /** The code's name, e.g. "INVALID_ARGUMENT". */
  public String codeName() {
    return Native.codeName(code);
  }

  /** plansync's reason (plansync.v1.Reason), or 0 when the error is not a refusal. */
  public int reason() {
    return reason;
  }

  /** The reason's name, e.g. "MISSING_REQUIRED_FIELD"; "UNSPECIFIED" for none. */
  public String reasonName() {
    return Native.reasonName(reason);
  }

  @Override
  public String toString() {
    return "PlansyncException(" + codeName() + ", " + reasonName() + "): " + getMessage();
  }
}
