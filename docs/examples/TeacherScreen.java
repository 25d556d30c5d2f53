package org.plansync.examples;

import java.util.ArrayList;
import java.util.List;
import org.plansync.PlansyncException;
import org.plansync.Store;
import org.plansync.SyncCounts;
import org.plansync.SyncOptions;
import plansync.v1.Records.ConfirmationStatus;
import plansync.v1.Records.ImplementationConfirmation;
import plansync.v1.Views.DueAccommodation;
import plansync.v1.Views.TeacherClass;
import plansync.v1.Views.TeacherDay;
import plansync.v1.Views.TeacherDayStudent;

/**
 * A teacher's "today" screen, a screen's worth of calls: open the tablet's store,
 * show the accommodations due in each class, confirm one, and sync. An app calls
 * these from its own threads (never the UI thread for the sync); the screen's
 * rendering is left out.
 */
public final class TeacherScreen implements AutoCloseable {
  private final Store store;
  private final SyncOptions server;

  /** Opens the tablet's store (created on first use for the signed-in teacher). */
  public TeacherScreen(String dbPath, String teacherId, String serverAddress, String tokenFile)
      throws PlansyncException {
    store = Store.open(dbPath, teacherId);
    server = SyncOptions.server(serverAddress).tokenFile(tokenFile);
  }

  /** Pulls what changed (plans, accommodations, assignments) and pushes what is pending. */
  public SyncCounts refresh() throws PlansyncException {
    return store.sync(server);
  }

  /** One line per accommodation due on {@code day} (null: today), as the screen lists them. */
  public List<String> rows(String day) throws PlansyncException {
    TeacherDay today = store.teacherDay(day, null);
    List<String> rows = new ArrayList<>();
    if (!today.getNoSchool().isEmpty()) {
      rows.add("No school: " + today.getNoSchool());
      return rows;
    }
    for (TeacherClass c : today.getClassesList()) {
      for (TeacherDayStudent s : c.getStudentsList()) {
        for (DueAccommodation due : s.getAccommodationsList()) {
          rows.add(c.getClassOrPeriod() + " | " + s.getStudent().getGivenName() + " "
              + s.getStudent().getFamilyName() + " | " + due.getAccommodation().getTitle()
              + (due.getConfirmationsCount() > 0 ? " | confirmed" : " | due"));
        }
      }
    }
    rows.add(today.getAccommodationsConfirmed() + " of " + today.getAccommodationsNeeded()
        + " confirmed");
    return rows;
  }

  /**
   * The teacher taps "provided" on the first accommodation still due in {@code
   * className} on {@code day}: the confirmation is stored at once, offline if need
   * be, and sent at the next sync. Returns its id, or null if nothing is due.
   */
  public String confirmFirstDue(String day, String className) throws PlansyncException {
    TeacherDay today = store.teacherDay(day, className);
    for (TeacherClass c : today.getClassesList()) {
      for (TeacherDayStudent s : c.getStudentsList()) {
        for (DueAccommodation due : s.getAccommodationsList()) {
          if (due.getConfirmationsCount() == 0) {
            return store.append(
                ImplementationConfirmation.newBuilder()
                    .setStudentId(s.getStudent().getId())
                    .setAccommodationId(due.getAccommodation().getId())
                    .setDay(today.getDay())
                    .setClassOrPeriod(c.getClassOrPeriod())
                    .setStatus(ConfirmationStatus.CONFIRMATION_STATUS_PROVIDED)
                    .build());
          }
        }
      }
    }
    return null;
  }

  /** Changes the server has not acknowledged yet (the screen's "not synced" badge). */
  public long unsynced() throws PlansyncException {
    return store.pendingCount();
  }

  @Override
  public void close() {
    store.close();
  }
}
