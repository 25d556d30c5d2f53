// UTF-8 well-formedness, for text that arrives as bytes (change.proto's text
// fields) and must be checked by the receiver.
#ifndef PLANSYNC_CORE_UTF8_H_
#define PLANSYNC_CORE_UTF8_H_

#include "absl/strings/string_view.h"

namespace plansync {

// True if `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence. Pure.
bool IsValidUtf8(absl::string_view text);

}  // namespace plansync

#endif  // PLANSYNC_CORE_UTF8_H_
