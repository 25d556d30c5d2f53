package org.plansync;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import plansync.v1.Records.Student;

/** The store in process: records, errors, transactions and observers. */
public class StoreTest {
  private static final String USER = "01900000-0000-7000-8000-000000000001";
  private static final int INVALID_ARGUMENT = 3;
  private static final int NOT_FOUND = 5;
  private static final int FAILED_PRECONDITION = 9;

  private File dir;
  private Store store;

  @Before
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("plansync-store").toFile();
    store = Store.open(new File(dir, "device.db").getPath(), USER);
  }

  @After
  public void tearDown() {
    store.close();
    TestServer.deleteTree(dir);
  }

  private static Student student(String given, String family) {
    return Student.newBuilder().setGivenName(given).setFamilyName(family).build();
  }

  @Test
  public void theLibraryIsTheBuildsAndTheFileIsTheOwners() throws Exception {
    assertEquals(System.getProperty("plansync.version"), Store.version());
    assertEquals(USER, store.principalId());
    assertEquals(36, store.replicaId().length());
    assertEquals(
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(new File(dir, "device.db").toPath()));
  }

  @Test
  public void recordsRoundTripThroughTheLiteClasses() throws Exception {
    String id = store.create(student("Maya", "Diaz").toBuilder().setSchool("Lincoln").build());
    String other = store.create(student("Leo", "Diaz").toBuilder().setSchool("Roosevelt").build());
    Student back = store.get(Student.class, id);
    assertEquals(id, back.getId());
    assertEquals("Maya", back.getGivenName());
    assertEquals("Lincoln", back.getSchool());

    store.update(Student.newBuilder().setId(id).setFamilyName("Diaz-Moreno").setSchool("x").build(),
        "family_name");
    back = store.get(Student.class, id);
    assertEquals("Diaz-Moreno", back.getFamilyName());
    assertEquals("Lincoln", back.getSchool());

    assertEquals(2, store.list(Student.class).size());
    List<Student> lincoln = store.list(Student.class, "school", "Roosevelt", false);
    assertEquals(1, lincoln.size());
    assertEquals(other, lincoln.get(0).getId());
    assertEquals(1, store.count(Student.class, "school", "Lincoln", false));

    store.archive(Student.class, id);
    assertEquals(1, store.list(Student.class).size());
    assertEquals(2, store.list(Student.class, null, null, true).size());
    assertTrue(store.get(Student.class, id).getDeleted());
  }

  @Test
  public void refusedWritesThrowTheirCodeAndReasonAndStoreNothing() throws Exception {
    try {
      store.create(Student.newBuilder().setGivenName("Maya").build());
      fail("a student without a family name was stored");
    } catch (PlansyncException e) {
      assertEquals(INVALID_ARGUMENT, e.code());
      assertEquals("INVALID_ARGUMENT", e.codeName());
      assertEquals("MISSING_REQUIRED_FIELD", e.reasonName());
      assertTrue(e.getMessage(), e.getMessage().contains("family_name"));
    }
    try {
      store.append(student("Maya", "Diaz"));
      fail("a mutable record was appended");
    } catch (PlansyncException e) {
      assertEquals(FAILED_PRECONDITION, e.code());
    }
    try {
      store.get(Student.class, "01900000-0000-7000-8000-0000000000ff");
      fail("a missing record was found");
    } catch (PlansyncException e) {
      assertEquals(NOT_FOUND, e.code());
      assertEquals("UNKNOWN_RECORD", e.reasonName());
    }
    try {
      store.list(Student.class, "no_such_field", "x", false);
      fail("an unknown field was listed");
    } catch (PlansyncException e) {
      assertEquals("UNKNOWN_FIELD", e.reasonName());
    }
    try {
      store.teacherDay("2026-13-01", null);
      fail("a malformed day was accepted");
    } catch (PlansyncException e) {
      assertEquals("MALFORMED_DATE", e.reasonName());
    }
    assertEquals(0, store.count(Student.class, null, null, true));
    assertEquals(0, store.pendingCount());
  }

  @Test
  public void aFileKeepsItsUser() throws Exception {
    try {
      Store.open(new File(dir, "device.db").getPath(), "01900000-0000-7000-8000-000000000002");
      fail("another user's file was opened");
    } catch (PlansyncException e) {
      assertEquals(FAILED_PRECONDITION, e.code());
    }
  }

  @Test
  public void aTransactionCommitsTogetherOrNotAtAll() throws Exception {
    List<ChangeEvent> events = Collections.synchronizedList(new ArrayList<>());
    try (Observation observation = store.observe(events::add)) {
      try (WriteTransaction tx = store.beginWrite()) {
        store.create(student("Maya", "Diaz"));
        store.create(student("Leo", "Diaz"));
        assertTrue("observers hear of a commit only", events.isEmpty());
        tx.commit();
      }
      assertEquals(1, events.size());
      assertEquals(2, events.get(0).records.size());
      for (ChangeEvent.ChangedRecord record : events.get(0).records) {
        assertEquals("plansync.v1.Student", record.type);
        assertFalse(record.remote);
      }

      try (WriteTransaction tx = store.beginWrite()) {
        store.create(student("Ana", "Diaz"));
        // closed without a commit: rolled back
      }
      assertEquals(2, store.list(Student.class).size());
      assertEquals(1, events.size());

      // Without a transaction, each write is its own.
      store.create(student("Ana", "Diaz"));
      assertEquals(2, events.size());
    }
    // Closed: no more events.
    store.create(student("Eva", "Diaz"));
    assertEquals(2, events.size());

    try (WriteTransaction tx = store.beginWrite()) {
      try {
        store.beginWrite();
        fail("a second transaction began on the same thread");
      } catch (PlansyncException e) {
        assertEquals(FAILED_PRECONDITION, e.code());
      }
    }
  }

  @Test
  public void aClosedStoreSaysSo() throws Exception {
    Observation observation = store.observe(event -> {});
    store.close();
    observation.close(); // already ended by the store: harmless
    try {
      store.pendingCount();
      fail("a closed store was used");
    } catch (IllegalStateException e) {
      assertNotNull(e.getMessage());
    }
  }
}
