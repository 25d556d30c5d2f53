package org.plansync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.plansync.examples.TeacherScreen;
import plansync.v1.Records.Accommodation;
import plansync.v1.Records.AccommodationCategory;
import plansync.v1.Records.AccommodationKind;
import plansync.v1.Records.Comment;
import plansync.v1.Records.ConfirmationStatus;
import plansync.v1.Records.ImplementationConfirmation;
import plansync.v1.Records.Plan;
import plansync.v1.Records.PlanKind;
import plansync.v1.Records.PlanStatus;
import plansync.v1.Records.SchoolHoliday;
import plansync.v1.Views.HistoryEntry;
import plansync.v1.Views.StudentHistory;

/**
 * Apps through the real plansync-server on loopback: a case manager writes a plan,
 * a teacher's app (the docs' example screen) confirms an accommodation written
 * offline, the parent's phone sees it on its history and its observer hears the
 * pull, the parent's tablet gets it from its replicator alone, and the server's
 * refusal of a parent's plan edit comes back with its reason.
 */
public class SyncTest {
  private static final String DAY = "2026-09-15"; // a Tuesday
  private static final int UNAVAILABLE = 14;

  private TestServer server;
  private String student;
  private String parent;
  private String teacher;
  private String caseManager;
  private final List<Store> stores = new ArrayList<>();

  @Before
  public void setUp() throws Exception {
    server = new TestServer();
    student = server.admin("add-student", "--given", "Maya", "--family", "Diaz");
    parent = server.admin("add-user", "--name", "Mr. Diaz");
    teacher = server.admin("add-user", "--name", "Ms. Rivera");
    caseManager = server.admin("add-user", "--name", "Mr. Okafor");
    server.admin("assign", "--user", parent, "--student", student, "--role", "guardian");
    server.admin("assign", "--user", teacher, "--student", student, "--role", "teacher",
        "--class", "Math 3", "--start", "2026-08-01");
    server.admin("assign", "--user", caseManager, "--student", student, "--role",
        "case-manager");
    for (String device : Arrays.asList("phone", "tablet", "teacher", "cm")) {
      String user = device.equals("teacher") ? teacher : device.equals("cm") ? caseManager : parent;
      server.admin("issue-token", "--user", user, "--label", device, "--out",
          server.path(device + ".token"));
    }
  }

  @After
  public void tearDown() throws Exception {
    for (Store store : stores) {
      store.close();
    }
    server.close();
  }

  private Store open(String device, String user) throws PlansyncException {
    Store store = Store.open(server.path(device + ".db"), user);
    stores.add(store);
    return store;
  }

  private SyncOptions options(String device) {
    return SyncOptions.server(server.address()).tokenFile(server.path(device + ".token"));
  }

  /** The case manager's plan for the student, with one accommodation; returns its id. */
  private String writePlan() throws Exception {
    Store cm = open("cm", caseManager);
    cm.sync(options("cm"));
    String accommodation;
    try (WriteTransaction tx = cm.beginWrite()) {
      String plan =
          cm.create(
              Plan.newBuilder()
                  .setStudentId(student)
                  .setKind(PlanKind.PLAN_KIND_IEP)
                  .setStatus(PlanStatus.PLAN_STATUS_ACTIVE)
                  .setVersion(1)
                  .setJurisdiction("US-MO")
                  .setStartDate("2026-08-15")
                  .build());
      accommodation =
          cm.create(
              Accommodation.newBuilder()
                  .setStudentId(student)
                  .setPlanId(plan)
                  .setKind(AccommodationKind.ACCOMMODATION_KIND_ACCOMMODATION)
                  .setCategory(AccommodationCategory.ACCOMMODATION_CATEGORY_TIMING_AND_SCHEDULING)
                  .setTitle("Extended time (1.5x)")
                  .build());
      tx.commit();
    }
    SyncCounts counts = cm.sync(options("cm"));
    assertEquals(0, counts.rejected);
    assertEquals(0, cm.pendingCount());
    return accommodation;
  }

  @Test
  public void aConfirmationWrittenOfflineReachesTheParent() throws Exception {
    server.start();
    String accommodation = writePlan();

    Store phone = open("phone", parent);
    phone.sync(options("phone"));
    LinkedBlockingQueue<ChangeEvent> heard = new LinkedBlockingQueue<>();
    phone.observe(heard::add);

    String confirmation;
    try (TeacherScreen screen =
        new TeacherScreen(server.path("teacher.db"), teacher, server.address(),
            server.path("teacher.token"))) {
      screen.refresh();
      assertEquals(
          Arrays.asList("Math 3 | Maya Diaz | Extended time (1.5x) | due", "0 of 1 confirmed"),
          screen.rows(DAY));
      // Offline: stored, pending, shown as confirmed, not yet on the server.
      confirmation = screen.confirmFirstDue(DAY, "math 3");
      assertNotNull(confirmation);
      assertEquals(1, screen.unsynced());
      assertEquals(
          Arrays.asList("Math 3 | Maya Diaz | Extended time (1.5x) | confirmed", "1 of 1 confirmed"),
          screen.rows(DAY));
      assertNull("nothing else is due", screen.confirmFirstDue(DAY, "Math 3"));
      phone.sync(options("phone"));
      assertEquals(0, phone.studentHistory(student, "2026-09-01", "2026-09-30").getEntriesCount());

      SyncCounts pushed = screen.refresh();
      assertEquals(1, pushed.pushed);
      assertEquals(0, screen.unsynced());
    }

    heard.clear();
    assertTrue(phone.sync(options("phone")).pulled >= 1);
    ChangeEvent.ChangedRecord pulled = null;
    for (ChangeEvent event : heard) {
      for (ChangeEvent.ChangedRecord record : event.records) {
        if (record.id.equals(confirmation)) {
          pulled = record;
        }
      }
    }
    assertNotNull("the phone's observer heard the pull: " + heard, pulled);
    assertEquals("plansync.v1.ImplementationConfirmation", pulled.type);
    assertTrue(pulled.remote);

    StudentHistory history = phone.studentHistory(student, "2026-09-01", "2026-09-30");
    assertEquals(1, history.getEntriesCount());
    HistoryEntry entry = history.getEntries(0);
    assertEquals(DAY, entry.getDay());
    assertEquals("Extended time (1.5x)", entry.getSubject());
    assertEquals(ConfirmationStatus.CONFIRMATION_STATUS_PROVIDED, entry.getConfirmation().getStatus());
    assertEquals(teacher, entry.getConfirmation().getAuthorId());
    assertEquals(accommodation, entry.getConfirmation().getAccommodationId());
    assertEquals(
        "Extended time (1.5x)",
        phone.planInEffect(student, DAY).getAccommodations(0).getTitle());
  }

  @Test
  public void refusalsComeBackWithTheirReasons() throws Exception {
    server.start();
    writePlan();

    // A tablet that has never synced does not know its user's roles yet: a
    // school holiday it declares is stored, and the server refuses it.
    Store tablet = open("tablet", parent);
    String forged =
        tablet.create(SchoolHoliday.newBuilder().setDay("2026-09-16").setName("Snow day").build());
    assertEquals("one change per field set", 2, tablet.pendingCount());
    SyncCounts counts = tablet.sync(options("tablet"));
    assertEquals(2, counts.rejected);
    assertEquals(0, counts.pushed);
    List<RejectedChange> rejected = tablet.rejectedChanges();
    assertEquals(2, rejected.size());
    List<String> fields = new ArrayList<>();
    for (RejectedChange change : rejected) {
      assertEquals("ROLE_NOT_PERMITTED", change.reasonName());
      assertEquals("plansync.v1.SchoolHoliday", change.type());
      assertEquals(forged, change.recordId());
      assertFalse(change.message().isEmpty());
      fields.add(change.field());
    }
    Collections.sort(fields);
    assertEquals(Arrays.asList("day", "name"), fields);
    assertEquals(0, tablet.pendingCount());
    // The refused holiday is gone from the tablet: the 16th is a school day.
    assertEquals(0, tablet.count(SchoolHoliday.class, null, null, true));

    Plan plan = tablet.planInEffect(student, DAY).getPlan();
    assertEquals(PlanKind.PLAN_KIND_IEP, plan.getKind());

    // Once the device knows its user is a guardian, it refuses a plan edit
    // itself, and nothing changes.
    try {
      tablet.update(plan.toBuilder().setStatus(PlanStatus.PLAN_STATUS_ENDED).build(), "status");
      fail("a guardian edited a plan");
    } catch (PlansyncException e) {
      assertEquals(7, e.code()); // PERMISSION_DENIED
      assertEquals("ROLE_NOT_PERMITTED", e.reasonName());
    }
    assertEquals(PlanStatus.PLAN_STATUS_ACTIVE, tablet.get(Plan.class, plan.getId()).getStatus());
    assertEquals(0, tablet.pendingCount());

    // A bad option is refused before any network.
    try {
      tablet.sync(SyncOptions.server(server.address()));
      fail("a sync without a token ran");
    } catch (PlansyncException e) {
      assertEquals(3, e.code()); // INVALID_ARGUMENT
    }
  }

  @Test
  public void theReplicatorWaitsForTheServerThenKeepsTheTabletCurrent() throws Exception {
    // No server yet: the tablet's replicator reports OFFLINE and retries.
    String address = "127.0.0.1:" + freePort();
    Store tablet = open("tablet", parent);
    LinkedBlockingQueue<ReplicatorStatus> statuses = new LinkedBlockingQueue<>();
    LinkedBlockingQueue<ChangeEvent> heard = new LinkedBlockingQueue<>();
    tablet.observe(heard::add);
    Replicator replicator =
        tablet.startReplicator(
            SyncOptions.server(address).tokenFile(server.path("tablet.token")), statuses::add);
    ReplicatorStatus offline = waitFor(statuses, ReplicatorStatus.State.OFFLINE);
    assertEquals(UNAVAILABLE, offline.error.code());
    assertTrue(offline.retryInMs > 0);
    replicator.close();
    assertEquals(ReplicatorStatus.State.STOPPED, last(statuses).state);

    // With the server up, a comment from the phone reaches the tablet with no
    // sync call on the tablet.
    server.start();
    replicator =
        tablet.startReplicator(
            SyncOptions.server(server.address()).tokenFile(server.path("tablet.token")),
            statuses::add);
    waitFor(statuses, ReplicatorStatus.State.IDLE);
    Store phone = open("phone", parent);
    phone.sync(options("phone"));
    String comment =
        phone.append(
            Comment.newBuilder()
                .setStudentId(student)
                .setAboutRecordId(student)
                .setAboutRecordType("plansync.v1.Student")
                .setText("Maya had a hard morning; please check in.")
                .build());
    assertEquals(1, phone.sync(options("phone")).pushed);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    boolean arrived = false;
    while (!arrived && System.nanoTime() < deadline) {
      ChangeEvent event = heard.poll(1, TimeUnit.SECONDS);
      if (event != null) {
        for (ChangeEvent.ChangedRecord record : event.records) {
          arrived |= record.id.equals(comment) && record.remote;
        }
      }
    }
    assertTrue("the comment reached the tablet through its replicator", arrived);
    assertEquals("Maya had a hard morning; please check in.",
        tablet.get(Comment.class, comment).getText());
    replicator.close();
  }

  private static ReplicatorStatus waitFor(
      LinkedBlockingQueue<ReplicatorStatus> statuses, ReplicatorStatus.State state)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      ReplicatorStatus status = statuses.poll(1, TimeUnit.SECONDS);
      if (status != null && status.state == state) {
        return status;
      }
    }
    throw new AssertionError("no " + state + " status within 20 s");
  }

  private static ReplicatorStatus last(LinkedBlockingQueue<ReplicatorStatus> statuses) {
    ReplicatorStatus last = null;
    for (ReplicatorStatus status : statuses) {
      last = status;
    }
    assertNotNull(last);
    return last;
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
