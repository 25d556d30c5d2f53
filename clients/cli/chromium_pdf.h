// Printing a page to PDF with headless Chromium, when it is installed.
#ifndef PLANSYNC_CLIENTS_CLI_CHROMIUM_PDF_H_
#define PLANSYNC_CLIENTS_CLI_CHROMIUM_PDF_H_

#include <string>

#include "absl/status/status.h"

namespace plansync::cli {

// Prints the HTML file `html_path` to `pdf_path` (owner-only) with headless
// Chromium: $PLANSYNC_CHROMIUM, else /usr/bin/chromium. Its network features
// are off (the page needs none) and its profile is a fresh owner-only
// directory in the temporary directory, removed afterwards.
// FAILED_PRECONDITION naming the package (Debian's chromium) if there is no
// Chromium; INTERNAL with its exit status if it fails or writes no PDF;
// DEADLINE_EXCEEDED if it has not finished in 120 s (it is stopped).
absl::Status PrintToPdf(const std::string& html_path,
                        const std::string& pdf_path);

}  // namespace plansync::cli

#endif  // PLANSYNC_CLIENTS_CLI_CHROMIUM_PDF_H_
