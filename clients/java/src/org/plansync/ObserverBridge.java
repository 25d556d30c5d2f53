package org.plansync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Called by the native side with an event's parts; hands the app's Observer an event. */
final class ObserverBridge {
  private final Observer observer;

  ObserverBridge(Observer observer) {
    this.observer = observer;
  }

  void onNative(String[] types, String[] ids, boolean[] remote, String[] evicted) {
    List<ChangeEvent.ChangedRecord> records = new ArrayList<>(types.length);
    for (int i = 0; i < types.length; ++i) {
      records.add(new ChangeEvent.ChangedRecord(types[i], ids[i], remote[i]));
    }
    try {
      observer.onChange(new ChangeEvent(records, Arrays.asList(evicted)));
    } catch (RuntimeException | Error e) {
      Thread thread = Thread.currentThread();
      thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
    }
  }
}
