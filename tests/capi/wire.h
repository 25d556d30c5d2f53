/* A tiny protobuf wire-format writer and reader for the tests of the C API,
 * enough for the messages of records.proto (scalar fields only). It shows
 * that a program with no protobuf library at all can write and read plansync
 * records from the field numbers of the .proto file. */
#ifndef PLANSYNC_TESTS_CAPI_WIRE_H_
#define PLANSYNC_TESTS_CAPI_WIRE_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Wire types. */
#define WIRE_VARINT 0
#define WIRE_FIXED64 1
#define WIRE_LENGTH 2
#define WIRE_FIXED32 5

/* A message being written; `overflow` is set if it did not fit. */
typedef struct wire_message {
  uint8_t data[4096];
  size_t size;
  int overflow;
} wire_message;

static inline void wire_byte(wire_message* m, uint8_t byte) {
  if (m->size >= sizeof(m->data)) {
    m->overflow = 1;
    return;
  }
  m->data[m->size++] = byte;
}

static inline void wire_varint(wire_message* m, uint64_t value) {
  while (value >= 0x80) {
    wire_byte(m, (uint8_t)(value | 0x80));
    value >>= 7;
  }
  wire_byte(m, (uint8_t)value);
}

static inline void wire_tag(wire_message* m, int field, int wire_type) {
  wire_varint(m, ((uint64_t)field << 3) | (uint64_t)wire_type);
}

/* A string field (string, or an id, date or instant). */
static inline void wire_string(wire_message* m, int field, const char* text) {
  size_t i, n = strlen(text);
  wire_tag(m, field, WIRE_LENGTH);
  wire_varint(m, n);
  for (i = 0; i < n; ++i) wire_byte(m, (uint8_t)text[i]);
}

/* An int32, int64, bool or enum field. */
static inline void wire_int(wire_message* m, int field, int64_t value) {
  wire_tag(m, field, WIRE_VARINT);
  wire_varint(m, (uint64_t)value);
}

/* Reads a varint at *at; returns 0 if it runs past `size`. */
static inline int wire_read_varint(const uint8_t* data, size_t size, size_t* at,
                                   uint64_t* value) {
  int shift = 0;
  *value = 0;
  while (*at < size && shift < 64) {
    uint8_t byte = data[(*at)++];
    *value |= (uint64_t)(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return 1;
    shift += 7;
  }
  return 0;
}

/* Finds the last occurrence of field `field` (the one a parser keeps) in
 * `data`. Returns its wire type and sets *value (varint) or *start and *length
 * (length-delimited); -1 if absent, -2 if the bytes are malformed. */
static inline int wire_find(const uint8_t* data, size_t size, int field,
                            uint64_t* value, size_t* start, size_t* length) {
  size_t at = 0;
  int found = -1;
  while (at < size) {
    uint64_t key, v = 0;
    int type, number;
    if (!wire_read_varint(data, size, &at, &key)) return -2;
    type = (int)(key & 7);
    number = (int)(key >> 3);
    if (type == WIRE_VARINT) {
      if (!wire_read_varint(data, size, &at, &v)) return -2;
      if (number == field) {
        *value = v;
        found = type;
      }
    } else if (type == WIRE_LENGTH) {
      if (!wire_read_varint(data, size, &at, &v) || v > size - at) return -2;
      if (number == field) {
        *start = at;
        *length = (size_t)v;
        found = type;
      }
      at += (size_t)v;
    } else if (type == WIRE_FIXED64 || type == WIRE_FIXED32) {
      size_t n = type == WIRE_FIXED64 ? 8 : 4;
      if (n > size - at) return -2;
      at += n;
    } else {
      return -2;
    }
  }
  return found;
}

/* String field `field` of `data` copied into `out` (NUL-terminated); "" if
 * absent (proto3's default). Returns 0 if malformed or too long. */
static inline int wire_get_string(const uint8_t* data, size_t size, int field,
                                  char* out, size_t out_size) {
  uint64_t value;
  size_t start = 0, length = 0;
  int type = wire_find(data, size, field, &value, &start, &length);
  out[0] = '\0';
  if (type == -1) return 1;
  if (type == -2) return 0;
  if (type != WIRE_LENGTH || length >= out_size) return 0;
  memcpy(out, data + start, length);
  out[length] = '\0';
  return 1;
}

/* Varint field `field` of `data`; 0 if absent. */
static inline int64_t wire_get_int(const uint8_t* data, size_t size,
                                   int field) {
  uint64_t value = 0;
  size_t start, length;
  if (wire_find(data, size, field, &value, &start, &length) != WIRE_VARINT) {
    return 0;
  }
  return (int64_t)value;
}

#endif /* PLANSYNC_TESTS_CAPI_WIRE_H_ */
