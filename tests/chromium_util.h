// Headless Chromium for the tests of the HTML pages (the report, the
// evidence packet): Debian's chromium, which ./scripts/test installs.
#ifndef PLANSYNC_TESTS_CHROMIUM_UTIL_H_
#define PLANSYNC_TESTS_CHROMIUM_UTIL_H_

#include <string>

#include "absl/strings/str_replace.h"
#include "tests/process_util.h"

namespace plansync::testing {

// Opens `file` in headless Chromium with its network features off (a page
// must not need them) and a profile in `profile`; the result's `out` is the
// DOM after the page's scripts ran. Its stderr goes to `log`.
inline CliResult RunChromium(const std::string& file,
                             const std::string& profile,
                             const std::string& log) {
  return RunProgram(
      {"/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
       "--disable-quic", "--no-first-run", "--disable-background-networking",
       "--disable-component-update", "--disable-sync",
       "--host-resolver-rules=MAP * ~NOTFOUND", "--user-data-dir=" + profile,
       "--dump-dom", "file://" + file},
      log);
}

// A page that shows `html` in a frame 390 px wide (a phone; a headless
// window is at least 500 px wide) and copies the framed page's
// data-width and data-fits attributes of <body> to its own <body>.
inline std::string PhoneFrame(const std::string& html) {
  return "<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"f\" "
         "style=\"width:390px;height:844px;border:0\" srcdoc=\"" +
         absl::StrReplaceAll(html, {{"&", "&amp;"}, {"\"", "&quot;"}}) +
         "\"></iframe><script>var f = document.getElementById('f');"
         "f.addEventListener('load', function () {"
         "var b = f.contentDocument.body;"
         "document.body.setAttribute('data-width', "
         "b.getAttribute('data-width'));"
         "document.body.setAttribute('data-fits', b.getAttribute('data-fits'));"
         "});</script></body></html>";
}

}  // namespace plansync::testing

#endif  // PLANSYNC_TESTS_CHROMIUM_UTIL_H_
