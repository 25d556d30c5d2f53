/* Building and reading plansync records from C, by field name, without a
 * protobuf library: a plansync_record holds one record message of
 * proto/plansync/v1/records.proto (a Student, a LapseReport, ...), and
 * plansync_record_bytes gives its serialized form for plansync_create,
 * plansync_append and plansync_update; plansync_record_parse reads what
 * plansync_get and plansync_list return.
 *
 *   plansync_record* lapse = NULL;
 *   plansync_record_new("LapseReport", &lapse, &err);
 *   plansync_record_set_string(lapse, "student_id", student, &err);
 *   plansync_record_set_string(lapse, "day", "2026-09-17", &err);
 *   uint8_t* bytes = NULL; size_t size = 0;
 *   plansync_record_bytes(lapse, &bytes, &size, &err);
 *   plansync_append(store, "LapseReport", bytes, size, &id, &err);
 *   plansync_free(bytes);
 *   plansync_record_free(lapse);
 *
 * Records have only scalar fields: text (set_string), integers, booleans
 * (0 or 1) and enums (set_int, or set_enum by value name), and decimals
 * (set_double). A field never set reads as "", 0 or 0.0. The helpers check
 * what the field can hold (its kind, an integer's range, an enum's values,
 * UTF-8 text); the store checks the rest (required fields, lengths, days,
 * references) when the record is written. Errors, memory and threads as in
 * plansync.h: every call returns a plansync_code; a record may be used by
 * one thread at a time, and different records from several at once. */
#ifndef PLANSYNC_PLANSYNC_RECORD_H_
#define PLANSYNC_PLANSYNC_RECORD_H_

#include <stddef.h>
#include <stdint.h>

#include "plansync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One record message. Opaque. */
typedef struct plansync_record plansync_record;

/* Sets *record to a new, empty record of `type` (short name "Student" or
 * full name "plansync.v1.Student"), to be freed with plansync_record_free.
 * Errors: INVALID_ARGUMENT for a NULL argument; reason UNKNOWN_RECORD_TYPE
 * (the message lists the types) for a type that is not a plansync record. */
PLANSYNC_API int plansync_record_new(const char* type, plansync_record** record,
                                     plansync_error* error);

/* Sets *record to the record of `type` serialized in the `size` bytes at
 * `bytes`. Errors as plansync_record_new, plus INVALID_ARGUMENT for bytes
 * that are not such a message, and reason UNKNOWN_FIELD for bytes holding
 * a field the type does not have (a newer records.proto). */
PLANSYNC_API int plansync_record_parse(const char* type, const void* bytes,
                                       size_t size, plansync_record** record,
                                       plansync_error* error);

/* Frees `record`. NULL is ignored. */
PLANSYNC_API void plansync_record_free(plansync_record* record);

/* The record's type, its full name ("plansync.v1.Student"); owned by the
 * library, valid for good. "" for NULL. */
PLANSYNC_API const char* plansync_record_type(const plansync_record* record);

/* Setting a field by name ("given_name", "status"). Errors common to all:
 * INVALID_ARGUMENT for a NULL argument; reason UNKNOWN_FIELD for a name the
 * type does not have (the message lists its fields); INVALID_ARGUMENT for a
 * field of another kind (the message names the call that sets it). */

/* A text field, to `value` (UTF-8; INVALID_ARGUMENT otherwise). */
PLANSYNC_API int plansync_record_set_string(plansync_record* record,
                                            const char* field,
                                            const char* value,
                                            plansync_error* error);

/* An integer, boolean (0 or 1) or enum (a value's number) field.
 * INVALID_ARGUMENT for a value the field cannot hold: beyond a 32-bit
 * field's range, a boolean other than 0 or 1, a number no value of the enum
 * has (the message lists them). */
PLANSYNC_API int plansync_record_set_int(plansync_record* record,
                                         const char* field, int64_t value,
                                         plansync_error* error);

/* A decimal field. */
PLANSYNC_API int plansync_record_set_double(plansync_record* record,
                                            const char* field, double value,
                                            plansync_error* error);

/* An enum field, by the name of one of its values as records.proto spells
 * it ("PLAN_STATUS_ACTIVE"); INVALID_ARGUMENT, listing the names, for any
 * other. */
PLANSYNC_API int plansync_record_set_enum(plansync_record* record,
                                          const char* field, const char* value,
                                          plansync_error* error);

/* Reading a field by name; errors as for setting. A text field's value is a
 * NUL-terminated copy, to free with plansync_free; an enum's is its number
 * (plansync_record_get_int) or its value's name (plansync_record_get_enum,
 * a copy to free). */
PLANSYNC_API int plansync_record_get_string(const plansync_record* record,
                                            const char* field, char** value,
                                            plansync_error* error);
PLANSYNC_API int plansync_record_get_int(const plansync_record* record,
                                         const char* field, int64_t* value,
                                         plansync_error* error);
PLANSYNC_API int plansync_record_get_double(const plansync_record* record,
                                            const char* field, double* value,
                                            plansync_error* error);
PLANSYNC_API int plansync_record_get_enum(const plansync_record* record,
                                          const char* field, char** value,
                                          plansync_error* error);

/* Sets *bytes to the record serialized (free with plansync_free) and *size
 * to its length. Errors: INVALID_ARGUMENT for a NULL argument. */
PLANSYNC_API int plansync_record_bytes(const plansync_record* record,
                                       uint8_t** bytes, size_t* size,
                                       plansync_error* error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* PLANSYNC_PLANSYNC_RECORD_H_ */
