// The evidence packet (core/reports/evidence.h) as one self-contained page:
// the packet's JSON embedded once, and a script that draws every section
// from it, so what the page shows is exactly that document (a later
// signature over the JSON covers what is shown). Readable on a 390 px phone
// and printable (headless Chromium's print makes the PDF).
#ifndef PLANSYNC_CLIENTS_REPORT_RENDER_EVIDENCE_H_
#define PLANSYNC_CLIENTS_REPORT_RENDER_EVIDENCE_H_

#include <string>

#include "plansync/v1/report.pb.h"

namespace plansync::report {

// The packet as JSON (proto field names, every field, enums by name).
std::string RenderEvidenceJson(const v1::EvidencePacket& packet);
// The page. Its JSON is in <script type="application/json" id="packet">;
// once drawn, <body> carries data-drawn="yes", data-width (the window's)
// and data-fits ("yes" when nothing scrolls sideways), and each figure shown
// at the top carries data-figure="NAME".
std::string RenderEvidenceHtml(const v1::EvidencePacket& packet);

}  // namespace plansync::report

#endif  // PLANSYNC_CLIENTS_REPORT_RENDER_EVIDENCE_H_
