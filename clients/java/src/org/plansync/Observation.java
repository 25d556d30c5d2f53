package org.plansync;

/**
 * An observer's registration. {@link #close()} ends it (it may be called from the
 * observer itself): when it returns the observer is not running on any other thread
 * and is never called again.
 */
public final class Observation extends Registration {
  Observation(Store store, long handle) {
    super(store, handle);
  }

  @Override
  void release(long handle) {
    Native.unobserve(handle);
  }
}
