// The JNI side of the Java binding: each native method of
// org.plansync.Native calls one function of the C API (plansync.h) and maps
// its result to Java: bytes to byte[], an error to a thrown
// org.plansync.PlansyncException carrying the code, the reason and the
// message. Observers and replicators call back into Java through bridge
// objects (ObserverBridge, ReplicatorBridge) held by global references; a
// callback on a thread the JVM does not know attaches it for the call.
#include <jni.h>
#include <plansync/plansync.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

JavaVM* g_vm = nullptr;
jclass g_exception = nullptr;          // org.plansync.PlansyncException
jmethodID g_exception_init = nullptr;  // (IILjava/lang/String;)V
jclass g_string = nullptr;
jclass g_byte_array = nullptr;
jclass g_rejected = nullptr;  // org.plansync.RejectedChange
jmethodID g_rejected_init = nullptr;
jmethodID g_observer_call = nullptr;    // ObserverBridge.onNative
jmethodID g_replicator_call = nullptr;  // ReplicatorBridge.onNative

jclass GlobalClass(JNIEnv* env, const char* name) {
  jclass local = env->FindClass(name);
  if (local == nullptr) return nullptr;
  auto global = static_cast<jclass>(env->NewGlobalRef(local));
  env->DeleteLocalRef(local);
  return global;
}

// A Java string's UTF-8 bytes, or "absent" for null.
class Utf {
 public:
  Utf(JNIEnv* env, jstring s) : env_(env), s_(s) {
    if (s != nullptr) chars_ = env->GetStringUTFChars(s, nullptr);
  }
  ~Utf() {
    if (chars_ != nullptr) env_->ReleaseStringUTFChars(s_, chars_);
  }
  Utf(const Utf&) = delete;
  Utf& operator=(const Utf&) = delete;
  // NULL for a Java null.
  const char* get() const { return chars_; }

 private:
  JNIEnv* env_;
  jstring s_;
  const char* chars_ = nullptr;
};

std::string Bytes(JNIEnv* env, jbyteArray array) {
  if (array == nullptr) return {};
  const jsize size = env->GetArrayLength(array);
  std::string out(static_cast<size_t>(size), '\0');
  env->GetByteArrayRegion(array, 0, size, reinterpret_cast<jbyte*>(out.data()));
  return out;
}

jbyteArray ByteArray(JNIEnv* env, const uint8_t* data, size_t size) {
  jbyteArray array = env->NewByteArray(static_cast<jsize>(size));
  if (array != nullptr && size > 0) {
    env->SetByteArrayRegion(array, 0, static_cast<jsize>(size),
                            reinterpret_cast<const jbyte*>(data));
  }
  return array;
}

jstring String(JNIEnv* env, const char* s) {
  return env->NewStringUTF(s == nullptr ? "" : s);
}

// Throws a PlansyncException for `err` unless the call succeeded; true if
// it threw (or a Java exception is already pending).
bool Throw(JNIEnv* env, int code, const plansync_error& err) {
  if (env->ExceptionCheck()) return true;
  if (code == PLANSYNC_CODE_OK) return false;
  jstring message = String(env, err.message);
  auto exception = static_cast<jthrowable>(
      env->NewObject(g_exception, g_exception_init, code, err.reason, message));
  if (exception != nullptr) env->Throw(exception);
  return true;
}

plansync_store* Store(jlong handle) {
  return reinterpret_cast<plansync_store*>(static_cast<intptr_t>(handle));
}

// The JNIEnv of the calling thread, attaching it (as a daemon) if the JVM
// does not know it; `attached` says whether to detach after the call.
JNIEnv* EnvForCallback(bool* attached) {
  *attached = false;
  JNIEnv* env = nullptr;
  const jint got =
      g_vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8);
  if (got == JNI_OK) return env;
  if (got != JNI_EDETACHED) return nullptr;
  if (g_vm->AttachCurrentThreadAsDaemon(reinterpret_cast<void**>(&env),
                                        nullptr) != JNI_OK) {
    return nullptr;
  }
  *attached = true;
  return env;
}

// A Java bridge held for the C API's callbacks.
struct Callback {
  jobject bridge = nullptr;      // global reference
  void* registration = nullptr;  // plansync_observer* or plansync_replicator*
};

jobjectArray StringArray(JNIEnv* env, const std::vector<const char*>& items) {
  jobjectArray array =
      env->NewObjectArray(static_cast<jsize>(items.size()), g_string, nullptr);
  if (array == nullptr) return nullptr;
  for (size_t i = 0; i < items.size(); ++i) {
    jstring s = String(env, items[i]);
    env->SetObjectArrayElement(array, static_cast<jsize>(i), s);
    env->DeleteLocalRef(s);
  }
  return array;
}

void OnChange(void* context, const plansync_change_event* event) {
  bool attached = false;
  JNIEnv* env = EnvForCallback(&attached);
  if (env == nullptr) return;
  env->PushLocalFrame(16);
  std::vector<const char*> types, ids, evicted;
  std::vector<jboolean> remote;
  for (size_t i = 0; i < event->record_count; ++i) {
    types.push_back(event->records[i].type);
    ids.push_back(event->records[i].id);
    remote.push_back(event->records[i].remote ? JNI_TRUE : JNI_FALSE);
  }
  for (size_t i = 0; i < event->evicted_count; ++i) {
    evicted.push_back(event->evicted_buckets[i]);
  }
  jbooleanArray remote_array =
      env->NewBooleanArray(static_cast<jsize>(remote.size()));
  if (remote_array != nullptr && !remote.empty()) {
    env->SetBooleanArrayRegion(
        remote_array, 0, static_cast<jsize>(remote.size()), remote.data());
  }
  jobjectArray type_array = StringArray(env, types);
  jobjectArray id_array = StringArray(env, ids);
  jobjectArray evicted_array = StringArray(env, evicted);
  if (!env->ExceptionCheck()) {
    env->CallVoidMethod(static_cast<Callback*>(context)->bridge,
                        g_observer_call, type_array, id_array, remote_array,
                        evicted_array);
  }
  // The bridge hands the app's exceptions to the thread's handler; nothing
  // may stay pending on a thread that returns to native code.
  if (env->ExceptionCheck()) env->ExceptionClear();
  env->PopLocalFrame(nullptr);
  if (attached) g_vm->DetachCurrentThread();
}

void OnReplicatorStatus(void* context, const plansync_replicator_status* s) {
  bool attached = false;
  JNIEnv* env = EnvForCallback(&attached);
  if (env == nullptr) return;
  env->PushLocalFrame(4);
  jstring message =
      s->error == nullptr ? nullptr : String(env, s->error->message);
  if (!env->ExceptionCheck()) {
    env->CallVoidMethod(
        static_cast<Callback*>(context)->bridge, g_replicator_call, s->state,
        s->phase, static_cast<jlong>(s->done), static_cast<jlong>(s->total),
        static_cast<jlong>(s->counts.pushed),
        static_cast<jlong>(s->counts.rejected),
        static_cast<jlong>(s->counts.pulled),
        static_cast<jlong>(s->counts.held),
        s->counts.clock_ahead ? JNI_TRUE : JNI_FALSE,
        s->error == nullptr ? 0 : s->error->code,
        s->error == nullptr ? 0 : s->error->reason, message,
        static_cast<jlong>(s->retry_in_ms), static_cast<jlong>(s->syncs));
  }
  if (env->ExceptionCheck()) env->ExceptionClear();
  env->PopLocalFrame(nullptr);
  if (attached) g_vm->DetachCurrentThread();
}

// The sync options of a call, with the strings they point into.
class SyncOptions {
 public:
  SyncOptions(JNIEnv* env, jstring server, jstring token, jstring token_file,
              jstring ca_file, jint direction)
      : server_(env, server),
        token_(env, token),
        token_file_(env, token_file),
        ca_file_(env, ca_file) {
    options_.server = server_.get();
    options_.token = token_.get();
    options_.token_file = token_file_.get();
    options_.ca_file = ca_file_.get();
    options_.direction = direction;
  }
  const plansync_sync_options* get() const { return &options_; }

 private:
  Utf server_, token_, token_file_, ca_file_;
  plansync_sync_options options_ = PLANSYNC_SYNC_OPTIONS_INIT;
};

// A view's bytes as byte[], or a thrown exception.
template <typename Call>
jbyteArray View(JNIEnv* env, Call call) {
  plansync_error err{};
  uint8_t* view = nullptr;
  size_t size = 0;
  const int code = call(&view, &size, &err);
  if (Throw(env, code, err)) return nullptr;
  jbyteArray out = ByteArray(env, view, size);
  plansync_free(view);
  return out;
}

}  // namespace

extern "C" {

JNIEXPORT jint JNICALL JNI_OnLoad(JavaVM* vm, void*) {
  g_vm = vm;
  JNIEnv* env = nullptr;
  if (vm->GetEnv(reinterpret_cast<void**>(&env), JNI_VERSION_1_8) != JNI_OK) {
    return JNI_ERR;
  }
  g_exception = GlobalClass(env, "org/plansync/PlansyncException");
  g_string = GlobalClass(env, "java/lang/String");
  g_byte_array = GlobalClass(env, "[B");
  g_rejected = GlobalClass(env, "org/plansync/RejectedChange");
  jclass observer = env->FindClass("org/plansync/ObserverBridge");
  jclass replicator = env->FindClass("org/plansync/ReplicatorBridge");
  if (g_exception == nullptr || g_string == nullptr ||
      g_byte_array == nullptr || g_rejected == nullptr || observer == nullptr ||
      replicator == nullptr) {
    return JNI_ERR;
  }
  g_exception_init =
      env->GetMethodID(g_exception, "<init>", "(IILjava/lang/String;)V");
  g_rejected_init = env->GetMethodID(
      g_rejected, "<init>",
      "(JLjava/lang/String;Ljava/lang/String;Ljava/lang/String;"
      "ILjava/lang/String;)V");
  g_observer_call = env->GetMethodID(
      observer, "onNative",
      "([Ljava/lang/String;[Ljava/lang/String;[Z[Ljava/lang/String;)V");
  g_replicator_call = env->GetMethodID(replicator, "onNative",
                                       "(IIJJJJJJZIILjava/lang/String;JJ)V");
  if (g_exception_init == nullptr || g_rejected_init == nullptr ||
      g_observer_call == nullptr || g_replicator_call == nullptr) {
    return JNI_ERR;
  }
  return JNI_VERSION_1_8;
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_version(JNIEnv* env,
                                                           jclass) {
  return String(env, plansync_version());
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_codeName(JNIEnv* env, jclass,
                                                            jint code) {
  return String(env, plansync_code_name(code));
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_reasonName(JNIEnv* env,
                                                              jclass,
                                                              jint reason) {
  return String(env, plansync_reason_name(reason));
}

JNIEXPORT jlong JNICALL Java_org_plansync_Native_open(JNIEnv* env, jclass,
                                                      jstring path,
                                                      jstring principal,
                                                      jint durability) {
  Utf path_utf(env, path), principal_utf(env, principal);
  plansync_store_options options = PLANSYNC_STORE_OPTIONS_INIT;
  options.principal_id = principal_utf.get();
  options.durability = durability;
  plansync_store* store = nullptr;
  plansync_error err{};
  const int code =
      plansync_store_open_with_options(path_utf.get(), &options, &store, &err);
  if (Throw(env, code, err)) return 0;
  return static_cast<jlong>(reinterpret_cast<intptr_t>(store));
}

JNIEXPORT void JNICALL Java_org_plansync_Native_close(JNIEnv*, jclass,
                                                      jlong store) {
  plansync_store_close(Store(store));
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_principalId(JNIEnv* env,
                                                               jclass,
                                                               jlong store) {
  return String(env, plansync_store_principal_id(Store(store)));
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_replicaId(JNIEnv* env,
                                                             jclass,
                                                             jlong store) {
  return String(env, plansync_store_replica_id(Store(store)));
}

JNIEXPORT void JNICALL Java_org_plansync_Native_beginWrite(JNIEnv* env, jclass,
                                                           jlong store) {
  plansync_error err{};
  Throw(env, plansync_begin_write(Store(store), &err), err);
}

JNIEXPORT void JNICALL Java_org_plansync_Native_commit(JNIEnv* env, jclass,
                                                       jlong store) {
  plansync_error err{};
  Throw(env, plansync_commit(Store(store), &err), err);
}

JNIEXPORT void JNICALL Java_org_plansync_Native_rollback(JNIEnv*, jclass,
                                                         jlong store) {
  plansync_rollback(Store(store));
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_create(JNIEnv* env, jclass,
                                                          jlong store,
                                                          jstring type,
                                                          jbyteArray record) {
  Utf type_utf(env, type);
  const std::string bytes = Bytes(env, record);
  char* id = nullptr;
  plansync_error err{};
  const int code = plansync_create(Store(store), type_utf.get(), bytes.data(),
                                   bytes.size(), &id, &err);
  if (Throw(env, code, err)) return nullptr;
  jstring out = String(env, id);
  plansync_free(id);
  return out;
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_append(JNIEnv* env, jclass,
                                                          jlong store,
                                                          jstring type,
                                                          jbyteArray entry) {
  Utf type_utf(env, type);
  const std::string bytes = Bytes(env, entry);
  char* id = nullptr;
  plansync_error err{};
  const int code = plansync_append(Store(store), type_utf.get(), bytes.data(),
                                   bytes.size(), &id, &err);
  if (Throw(env, code, err)) return nullptr;
  jstring out = String(env, id);
  plansync_free(id);
  return out;
}

JNIEXPORT void JNICALL Java_org_plansync_Native_update(JNIEnv* env, jclass,
                                                       jlong store,
                                                       jstring type,
                                                       jbyteArray values,
                                                       jobjectArray fields) {
  Utf type_utf(env, type);
  const std::string bytes = Bytes(env, values);
  std::vector<std::string> names;
  const jsize count = fields == nullptr ? 0 : env->GetArrayLength(fields);
  for (jsize i = 0; i < count; ++i) {
    auto field = static_cast<jstring>(env->GetObjectArrayElement(fields, i));
    {
      Utf utf(env, field);
      names.emplace_back(utf.get() == nullptr ? "" : utf.get());
    }
    env->DeleteLocalRef(field);
  }
  std::vector<const char*> pointers;
  for (const std::string& name : names) pointers.push_back(name.c_str());
  plansync_error err{};
  Throw(env,
        plansync_update(Store(store), type_utf.get(), bytes.data(),
                        bytes.size(), pointers.data(), pointers.size(), &err),
        err);
}

JNIEXPORT void JNICALL Java_org_plansync_Native_archive(JNIEnv* env, jclass,
                                                        jlong store,
                                                        jstring type,
                                                        jstring id) {
  Utf type_utf(env, type), id_utf(env, id);
  plansync_error err{};
  Throw(env, plansync_archive(Store(store), type_utf.get(), id_utf.get(), &err),
        err);
}

JNIEXPORT jbyteArray JNICALL Java_org_plansync_Native_get(JNIEnv* env, jclass,
                                                          jlong store,
                                                          jstring type,
                                                          jstring id) {
  Utf type_utf(env, type), id_utf(env, id);
  return View(env, [&](uint8_t** out, size_t* size, plansync_error* err) {
    return plansync_get(Store(store), type_utf.get(), id_utf.get(), out, size,
                        err);
  });
}

JNIEXPORT jobjectArray JNICALL Java_org_plansync_Native_list(
    JNIEnv* env, jclass, jlong store, jstring type, jstring field,
    jstring value, jboolean include_archived) {
  Utf type_utf(env, type), field_utf(env, field), value_utf(env, value);
  std::vector<std::string> records;
  plansync_error err{};
  const int code = plansync_list(
      Store(store), type_utf.get(), field_utf.get(), value_utf.get(),
      include_archived ? 1 : 0,
      [](void* context, const uint8_t* record, size_t size) {
        static_cast<std::vector<std::string>*>(context)->emplace_back(
            reinterpret_cast<const char*>(record), size);
        return 0;
      },
      &records, &err);
  if (Throw(env, code, err)) return nullptr;
  jobjectArray out = env->NewObjectArray(static_cast<jsize>(records.size()),
                                         g_byte_array, nullptr);
  if (out == nullptr) return nullptr;
  for (size_t i = 0; i < records.size(); ++i) {
    jbyteArray record =
        ByteArray(env, reinterpret_cast<const uint8_t*>(records[i].data()),
                  records[i].size());
    env->SetObjectArrayElement(out, static_cast<jsize>(i), record);
    env->DeleteLocalRef(record);
  }
  return out;
}

JNIEXPORT jlong JNICALL Java_org_plansync_Native_count(
    JNIEnv* env, jclass, jlong store, jstring type, jstring field,
    jstring value, jboolean include_archived) {
  Utf type_utf(env, type), field_utf(env, field), value_utf(env, value);
  int64_t count = 0;
  plansync_error err{};
  const int code =
      plansync_count(Store(store), type_utf.get(), field_utf.get(),
                     value_utf.get(), include_archived ? 1 : 0, &count, &err);
  Throw(env, code, err);
  return static_cast<jlong>(count);
}

JNIEXPORT jbyteArray JNICALL Java_org_plansync_Native_planInEffect(
    JNIEnv* env, jclass, jlong store, jstring student_id, jstring day) {
  Utf student_utf(env, student_id), day_utf(env, day);
  return View(env, [&](uint8_t** out, size_t* size, plansync_error* err) {
    return plansync_plan_in_effect(Store(store), student_utf.get(),
                                   day_utf.get(), out, size, err);
  });
}

JNIEXPORT jbyteArray JNICALL Java_org_plansync_Native_teacherDay(
    JNIEnv* env, jclass, jlong store, jstring day, jstring class_or_period) {
  Utf day_utf(env, day), class_utf(env, class_or_period);
  return View(env, [&](uint8_t** out, size_t* size, plansync_error* err) {
    return plansync_teacher_day(Store(store), day_utf.get(), class_utf.get(),
                                out, size, err);
  });
}

JNIEXPORT jbyteArray JNICALL Java_org_plansync_Native_studentHistory(
    JNIEnv* env, jclass, jlong store, jstring student_id, jstring from,
    jstring to) {
  Utf student_utf(env, student_id), from_utf(env, from), to_utf(env, to);
  return View(env, [&](uint8_t** out, size_t* size, plansync_error* err) {
    return plansync_student_history(Store(store), student_utf.get(),
                                    from_utf.get(), to_utf.get(), out, size,
                                    err);
  });
}

JNIEXPORT jlong JNICALL Java_org_plansync_Native_pendingCount(JNIEnv* env,
                                                              jclass,
                                                              jlong store) {
  int64_t count = 0;
  plansync_error err{};
  Throw(env, plansync_pending_count(Store(store), &count, &err), err);
  return static_cast<jlong>(count);
}

JNIEXPORT jstring JNICALL Java_org_plansync_Native_today(JNIEnv* env, jclass,
                                                         jlong store) {
  char day[11] = {0};
  plansync_error err{};
  if (Throw(env, plansync_today(Store(store), day, &err), err)) return nullptr;
  return String(env, day);
}

JNIEXPORT jobjectArray JNICALL
Java_org_plansync_Native_rejectedChanges(JNIEnv* env, jclass, jlong store) {
  struct Context {
    JNIEnv* env;
    std::vector<jobject> changes;
  } context{env, {}};
  plansync_error err{};
  const int code = plansync_rejected_changes(
      Store(store),
      [](void* c, const plansync_rejected_change* change) {
        auto* context = static_cast<Context*>(c);
        JNIEnv* env = context->env;
        jstring type = String(env, change->type);
        jstring id = String(env, change->record_id);
        jstring field = String(env, change->field);
        jstring message = String(env, change->message);
        jobject object = env->NewObject(g_rejected, g_rejected_init,
                                        static_cast<jlong>(change->seq), type,
                                        id, field, change->reason, message);
        env->DeleteLocalRef(type);
        env->DeleteLocalRef(id);
        env->DeleteLocalRef(field);
        env->DeleteLocalRef(message);
        if (object == nullptr) return 1;  // out of memory: stop
        context->changes.push_back(object);
        return 0;
      },
      &context, &err);
  if (Throw(env, code, err)) return nullptr;
  jobjectArray out = env->NewObjectArray(
      static_cast<jsize>(context.changes.size()), g_rejected, nullptr);
  for (size_t i = 0; out != nullptr && i < context.changes.size(); ++i) {
    env->SetObjectArrayElement(out, static_cast<jsize>(i), context.changes[i]);
  }
  for (jobject change : context.changes) env->DeleteLocalRef(change);
  return out;
}

JNIEXPORT jlong JNICALL Java_org_plansync_Native_observe(JNIEnv* env, jclass,
                                                         jlong store,
                                                         jobject bridge) {
  auto* callback = new Callback;
  callback->bridge = env->NewGlobalRef(bridge);
  plansync_observer* observer = nullptr;
  plansync_error err{};
  const int code =
      plansync_observe(Store(store), OnChange, callback, &observer, &err);
  if (Throw(env, code, err)) {
    env->DeleteGlobalRef(callback->bridge);
    delete callback;
    return 0;
  }
  callback->registration = observer;
  return static_cast<jlong>(reinterpret_cast<intptr_t>(callback));
}

JNIEXPORT void JNICALL Java_org_plansync_Native_unobserve(JNIEnv* env, jclass,
                                                          jlong handle) {
  auto* callback = reinterpret_cast<Callback*>(static_cast<intptr_t>(handle));
  if (callback == nullptr) return;
  plansync_unobserve(static_cast<plansync_observer*>(callback->registration));
  env->DeleteGlobalRef(callback->bridge);
  delete callback;
}

JNIEXPORT jlongArray JNICALL Java_org_plansync_Native_sync(
    JNIEnv* env, jclass, jlong store, jstring server, jstring token,
    jstring token_file, jstring ca_file, jint direction) {
  SyncOptions options(env, server, token, token_file, ca_file, direction);
  plansync_sync_counts counts{};
  plansync_error err{};
  const int code = plansync_sync(Store(store), options.get(), &counts, &err);
  if (Throw(env, code, err)) return nullptr;
  const jlong values[] = {counts.pushed, counts.rejected, counts.pulled,
                          counts.held, counts.clock_ahead};
  jlongArray out = env->NewLongArray(5);
  if (out != nullptr) env->SetLongArrayRegion(out, 0, 5, values);
  return out;
}

JNIEXPORT jlong JNICALL Java_org_plansync_Native_startReplicator(
    JNIEnv* env, jclass, jlong store, jstring server, jstring token,
    jstring token_file, jstring ca_file, jobject bridge) {
  SyncOptions options(env, server, token, token_file, ca_file,
                      PLANSYNC_SYNC_BOTH);
  auto* callback = new Callback;
  callback->bridge = env->NewGlobalRef(bridge);
  plansync_replicator* replicator = nullptr;
  plansync_error err{};
  const int code =
      plansync_replicator_start(Store(store), options.get(), OnReplicatorStatus,
                                callback, &replicator, &err);
  if (Throw(env, code, err)) {
    env->DeleteGlobalRef(callback->bridge);
    delete callback;
    return 0;
  }
  callback->registration = replicator;
  return static_cast<jlong>(reinterpret_cast<intptr_t>(callback));
}

JNIEXPORT void JNICALL Java_org_plansync_Native_stopReplicator(JNIEnv* env,
                                                               jclass,
                                                               jlong handle) {
  auto* callback = reinterpret_cast<Callback*>(static_cast<intptr_t>(handle));
  if (callback == nullptr) return;
  plansync_replicator_stop(
      static_cast<plansync_replicator*>(callback->registration));
  env->DeleteGlobalRef(callback->bridge);
  delete callback;
}

}  // extern "C"
