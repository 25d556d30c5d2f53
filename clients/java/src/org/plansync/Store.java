package org.plansync;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import plansync.v1.Views;

/**
 * A device store: the user's plansync records in a local SQLite file (created
 * owner-only; one user's for good), written offline and synced with a plansync
 * server. Records are the protobuf-lite classes of {@code plansync.v1} (generated
 * from records.proto); a record's type is its class. Every method is thread-safe;
 * {@link #close()} must be the last call. Errors are {@link PlansyncException}s
 * with the code and the reason; nothing stored changes when a call throws.
 */
public final class Store implements AutoCloseable {
  private static final ClassValue<Parser<?>> PARSERS =
      new ClassValue<Parser<?>>() {
        @Override
        protected Parser<?> computeValue(Class<?> type) {
          try {
            return (Parser<?>) type.getMethod("parser").invoke(null);
          } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(type.getName() + " is not a protobuf message", e);
          }
        }
      };

  private volatile long handle;
  private final Set<Registration> registrations = Collections.synchronizedSet(new HashSet<>());

  private Store(long handle) {
    this.handle = handle;
  }

  /**
   * Opens the store in the file {@code path}, creating it if missing, for the user
   * {@code principalId} (required for a new file; null for an existing one, whose
   * user it is), with full durability.
   */
  public static Store open(String path, String principalId) throws PlansyncException {
    return open(path, principalId, Durability.FULL);
  }

  public static Store open(String path, String principalId, Durability durability)
      throws PlansyncException {
    return new Store(Native.open(path, principalId, durability.ordinal()));
  }

  /** The library's version, e.g. "0.2.0". */
  public static String version() {
    return Native.version();
  }

  /** The user id of the device's user, the author of its writes. */
  public String principalId() {
    return Native.principalId(handle());
  }

  /** The device's replica id. */
  public String replicaId() {
    return Native.replicaId(handle());
  }

  /**
   * Begins a write transaction for the calling thread, waiting while another
   * thread's is open. Use it in try-with-resources and commit it.
   */
  public WriteTransaction beginWrite() throws PlansyncException {
    Native.beginWrite(handle());
    return new WriteTransaction(this);
  }

  /** Creates a mutable record (a Student, a Plan, an Accommodation ...); returns its id. */
  public String create(MessageLite record) throws PlansyncException {
    return Native.create(handle(), typeOf(record.getClass()), record.toByteArray());
  }

  /** Appends a log entry (a confirmation, a lapse report, a comment ...); returns its id. */
  public String append(MessageLite entry) throws PlansyncException {
    return Native.append(handle(), typeOf(entry.getClass()), entry.toByteArray());
  }

  /**
   * Sets the named fields of the mutable record whose id {@code values} holds to
   * their values there; its other fields are ignored.
   */
  public void update(MessageLite values, String... fields) throws PlansyncException {
    Native.update(handle(), typeOf(values.getClass()), values.toByteArray(), fields);
  }

  /** Archives a mutable record (records are never erased). */
  public void archive(Class<? extends MessageLite> type, String id) throws PlansyncException {
    Native.archive(handle(), typeOf(type), id);
  }

  /** The record of {@code type} with {@code id}; NOT_FOUND if there is none. */
  public <T extends MessageLite> T get(Class<T> type, String id) throws PlansyncException {
    return parse(type, Native.get(handle(), typeOf(type), id));
  }

  /** Every record of {@code type} not archived, in id order. */
  public <T extends MessageLite> List<T> list(Class<T> type) throws PlansyncException {
    return list(type, null, null, false);
  }

  /**
   * The records of {@code type} whose text field {@code field} equals {@code value}
   * (every record if {@code field} is null), in id order; archived ones too if asked.
   */
  public <T extends MessageLite> List<T> list(
      Class<T> type, String field, String value, boolean includeArchived)
      throws PlansyncException {
    byte[][] records = Native.list(handle(), typeOf(type), field, value, includeArchived);
    List<T> out = new ArrayList<>(records.length);
    for (byte[] record : records) {
      out.add(parse(type, record));
    }
    return out;
  }

  /** How many records {@link #list(Class, String, String, boolean)} would return. */
  public long count(Class<? extends MessageLite> type, String field, String value,
      boolean includeArchived) throws PlansyncException {
    return Native.count(handle(), typeOf(type), field, value, includeArchived);
  }

  /**
   * The plan in effect for a student on {@code day} ("YYYY-MM-DD"; null: today in
   * the district's time zone), with its accommodations, services and goals of that
   * day; no plan when none is in effect.
   */
  public Views.PlanInEffect planInEffect(String studentId, String day)
      throws PlansyncException {
    return parse(Views.PlanInEffect.class, Native.planInEffect(handle(), studentId, day));
  }

  /**
   * A teacher's day (null: today): each class the user teaches that day, each
   * student with the accommodations due and the user's confirmations of them.
   * {@code classOrPeriod} (null: every class) picks one class.
   */
  public Views.TeacherDay teacherDay(String day, String classOrPeriod)
      throws PlansyncException {
    return parse(Views.TeacherDay.class, Native.teacherDay(handle(), day, classOrPeriod));
  }

  /**
   * A student's history from {@code from} to {@code to} (both included; null
   * {@code to}: today; null {@code from}: the start of that school year):
   * confirmations, service sessions and lapse reports, each as corrected.
   */
  public Views.StudentHistory studentHistory(String studentId, String from, String to)
      throws PlansyncException {
    return parse(
        Views.StudentHistory.class, Native.studentHistory(handle(), studentId, from, to));
  }

  /** Local changes not yet acknowledged by the server (refused ones not included). */
  public long pendingCount() throws PlansyncException {
    return Native.pendingCount(handle());
  }

  /** Today, "YYYY-MM-DD", in the district's time zone. */
  public String today() throws PlansyncException {
    return Native.today(handle());
  }

  /** The local changes the server refused, oldest first. */
  public List<RejectedChange> rejectedChanges() throws PlansyncException {
    return Arrays.asList(Native.rejectedChanges(handle()));
  }

  /**
   * Calls {@code observer} after every committed transaction that changes records,
   * until the returned registration is closed (or the store is).
   */
  public Observation observe(Observer observer) throws PlansyncException {
    Observation observation =
        new Observation(this, Native.observe(handle(), new ObserverBridge(observer)));
    registrations.add(observation);
    return observation;
  }

  /**
   * Pushes the pending changes and pulls what is new (or one of the two), retrying
   * an unreachable server for a few seconds. A change the server refuses is counted,
   * not thrown: see {@link #rejectedChanges()}. Blocks until done; not inside a
   * write transaction.
   */
  public SyncCounts sync(SyncOptions options) throws PlansyncException {
    long[] c =
        Native.sync(
            handle(),
            options.server,
            options.token,
            options.tokenFile,
            options.caFile,
            options.direction.ordinal());
    return new SyncCounts(c[0], c[1], c[2], c[3], c[4] != 0);
  }

  /**
   * Starts syncing in the background (both ways; the direction of {@code options}
   * must be BOTH); {@code listener} (may be null) hears each state. One replicator
   * per store. Network failures are not thrown: the listener hears OFFLINE.
   */
  public Replicator startReplicator(SyncOptions options, ReplicatorListener listener)
      throws PlansyncException {
    if (options.direction != SyncDirection.BOTH) {
      throw new IllegalArgumentException("a replicator syncs both ways");
    }
    Replicator replicator =
        new Replicator(
            this,
            Native.startReplicator(
                handle(),
                options.server,
                options.token,
                options.tokenFile,
                options.caFile,
                new ReplicatorBridge(listener)));
    registrations.add(replicator);
    return replicator;
  }

  /**
   * Stops the store's replicator, ends its observations, rolls back this thread's
   * open transaction and closes the file. Idempotent.
   */
  @Override
  public void close() {
    if (handle == 0) {
      return;
    }
    List<Registration> open;
    synchronized (registrations) {
      open = new ArrayList<>(registrations);
    }
    for (Registration registration : open) {
      registration.close();
    }
    long h;
    synchronized (this) {
      h = handle;
      handle = 0;
    }
    if (h != 0) {
      Native.close(h);
    }
  }

  long handle() {
    long h = handle;
    if (h == 0) {
      throw new IllegalStateException("the store is closed");
    }
    return h;
  }

  void forget(Registration registration) {
    registrations.remove(registration);
  }

  private static String typeOf(Class<?> type) {
    return "plansync.v1." + type.getSimpleName();
  }

  private static <T extends MessageLite> T parse(Class<T> type, byte[] bytes)
      throws PlansyncException {
    try {
      return type.cast(PARSERS.get(type).parseFrom(bytes));
    } catch (InvalidProtocolBufferException e) {
      throw new PlansyncException(13, 0, "the library returned bytes that are not a "
          + type.getSimpleName() + ": " + e.getMessage());
    }
  }
}
