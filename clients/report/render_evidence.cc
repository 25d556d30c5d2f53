#include "clients/report/render_evidence.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "clients/report/html.h"
#include "google/protobuf/util/json_util.h"

namespace plansync::report {
namespace {

constexpr char kStyle[] = R"css(
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;padding:1em;
  max-width:60em;color:#222;overflow-wrap:anywhere}
h1{font-size:1.45em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.8em;
  border-bottom:2px solid #ddd}h3{font-size:1em;margin:1em 0 .2em}
.sub{color:#555;margin:0}
.cards{display:flex;gap:.6em;flex-wrap:wrap;margin:1em 0}
.card{border:1px solid #ccc;border-radius:6px;padding:.4em .8em;min-width:8em}
.card b{display:block;font-size:1.35em}.card.alert{border-color:#a4161a}
.card.alert b{color:#a4161a}
ol.entries{list-style:none;padding:0;margin:0}
ol.entries li{border-top:1px solid #e3e3e3;padding:.45em 0}
.meta{font-size:.82em;color:#555}.meta code{font-size:.95em}
.tag{display:inline-block;font-size:.78em;padding:0 .4em;border-radius:3px;
  background:#eee;margin-right:.3em}
.tag.disputed,.tag.overdue,.tag.missing{background:#fde2e1;color:#a4161a;
  font-weight:bold}
.withdrawn .what{text-decoration:line-through;color:#777}
.details{margin:.15em 0 0 1em;padding:0;list-style:disc}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.4em 0}
th,td{border:1px solid #ccc;padding:.2em .45em;text-align:left;
  vertical-align:top;overflow-wrap:normal}th{background:#f3f3f3}
@media print{body{max-width:none;padding:0;font-size:11px}
  .scroll{overflow:visible}h2{break-after:avoid}li{break-inside:avoid}
  .tag.disputed{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
)css";

// Draws the page from the embedded JSON. Text goes in with textContent, never
// as markup.
constexpr char kScript[] = R"js(
(function () {
  var p = JSON.parse(document.getElementById('packet').textContent);
  var root = document.getElementById('root');
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent, tag, cls, text) {
    var e = el(tag, cls, text); parent.appendChild(e); return e;
  }
  function list(v) { return v || []; }
  var topics = {lapse: 'Lapse report', response: 'Response',
    confirmation: 'Confirmation', session: 'Service session',
    correction: 'Correction', request: 'Request', receipt: 'Receipt',
    release: 'Records release', notice: 'Notice', meeting: 'Meeting',
    decision: 'Decision', progress: 'Progress report'};

  add(root, 'h1', '', p.student_name);
  add(root, 'p', 'sub', (p.school ? p.school + ' \u00b7 ' : '') +
      'the record from ' + p.from_day + ' to ' + p.to_day);
  add(root, 'p', 'sub', 'Made on ' + p.as_of + ' by ' + p.made_by_name +
      ' from the records on their device (user ' + p.made_by_user_id + ').');

  var minutes = p.service_minutes || {};
  var missed = list(p.progress_reports).filter(function (d) {
    return d.state === 'MISSING'; }).length;
  // Request clocks due in the window that were missed (the deadlines card
  // counts the plan's own deadlines).
  var overdueRequests = 0;
  list(p.requests).forEach(function (r) {
    list(r.clocks).forEach(function (c) {
      if ((c.state === 'OVERDUE' || c.state === 'MET_LATE') &&
          c.due_day >= p.from_day && c.due_day <= p.to_day) overdueRequests++;
    });
  });
  var cards = add(root, 'div', 'cards');
  function card(name, label, value, alert) {
    var c = add(cards, 'div', 'card' + (alert ? ' alert' : ''));
    var b = add(c, 'b', '', value);
    b.setAttribute('data-figure', name);
    add(c, 'span', '', label);
  }
  card('lapses', 'lapse reports', p.lapses || 0, false);
  card('disputes', 'disputed by a confirmation', p.disputes || 0,
       (p.disputes || 0) > 0);
  card('unanswered_lapses', 'lapses with no response',
       p.unanswered_lapses || 0, (p.unanswered_lapses || 0) > 0);
  card('mandated_minutes', 'service minutes mandated',
       minutes.mandated_minutes || 0, false);
  card('delivered_minutes', 'service minutes delivered',
       minutes.delivered_minutes || 0,
       (minutes.delivered_minutes || 0) < (minutes.mandated_minutes || 0));
  card('missed_deadlines', 'deadlines missed',
       list(p.missed_deadlines).length, list(p.missed_deadlines).length > 0);
  card('late_requests', 'request clocks missed', overdueRequests,
       overdueRequests > 0);
  card('missing_progress_reports', 'progress reports missing', missed,
       missed > 0);
  card('corrections', 'corrections', p.corrections || 0, false);
  card('entries', 'entries in all', list(p.entries).length, false);

  function entryItem(parent, e) {
    var li = add(parent, 'li', e.withdrawn ? 'withdrawn' : '');
    li.setAttribute('data-entry-id', e.id);
    li.setAttribute('data-topic', e.topic);
    var line = add(li, 'div');
    add(line, 'span', 'tag', topics[e.topic] || e.topic);
    if (e.disputed) add(line, 'span', 'tag disputed', 'disputed');
    if (e.withdrawn) add(line, 'span', 'tag', 'withdrawn');
    add(line, 'strong', '', e.day + ' ');
    add(line, 'span', 'what', e.summary);
    if (e.details && e.details.length) {
      var ul = add(li, 'ul', 'details');
      e.details.forEach(function (d) { add(ul, 'li', '', d); });
    }
    var meta = add(li, 'div', 'meta');
    var parts = [];
    if (e.author_name) parts.push('by ' + e.author_name);
    if (e.recorded_at) parts.push('recorded ' + e.recorded_at);
    var placed = e.feed_seq && e.feed_seq !== '0';
    parts.push(e.accepted_at ? 'accepted by the server ' + e.accepted_at :
               placed ? 'accepted by the server (time not recorded)' :
               'no server receipt on this device');
    if (placed) parts.push('feed #' + e.feed_seq);
    add(meta, 'span', '', parts.join(' \u00b7 ') + ' \u00b7 ');
    add(meta, 'code', '', e.record_type + ' ' + e.id);
    if (e.related_id) add(meta, 'span', '', ' \u00b7 about ' + e.related_id);
    return li;
  }
  function section(title, id) {
    var h = add(root, 'h2', '', title);
    h.id = id;
    return h;
  }
  function none(text) { add(root, 'p', 'sub', text); }

  section('Plans in effect', 'plans');
  if (!list(p.plans).length) none('No plan was in effect in this window.');
  var ul = add(root, 'ul');
  list(p.plans).forEach(function (plan) {
    add(ul, 'li', '', (plan.kind === 'PLAN_KIND_SECTION_504' ?
        'Section 504 plan' : 'IEP') + ' version ' + plan.version + ', ' +
        plan.first_day + ' to ' + plan.last_day + ' (' + plan.jurisdiction +
        ', plan ' + plan.plan_id + ')');
  });
  list(p.plan_changes).forEach(function (c) {
    add(root, 'h3', '', 'What changed on ' + c.new_plan.start_date +
        (c.kind_changed ? ' (the kind of plan changed)' : ''));
    var cl = add(root, 'ul');
    list(c.changes).forEach(function (ch) {
      var li = add(cl, 'li', '', ch.change.toLowerCase() + ': ' +
          ch.what_it_is + ': ' + ch.label +
          (ch.details && ch.details.length ? ' (' + ch.details.join('; ') +
           ')' : ''));
      if (ch.reduction) {
        add(li, 'span', ch.notice_id && !ch.notice_late ? 'tag' :
            'tag overdue', ch.notice_id ? (ch.notice_late ?
            ' reduction; notice sent late, ' + ch.notice_sent_date :
            ' reduction; notice ' + ch.notice_sent_date) :
            ' reduction; no prior written notice');
      }
    });
  });

  section('Lapses, responses and the confirmations of those days', 'lapses');
  var byTopic = function (t) {
    return list(p.entries).filter(function (e) { return t.indexOf(e.topic) >= 0; });
  };
  var lapseEntries = byTopic(['lapse', 'response', 'confirmation']);
  if (!lapseEntries.length) none('No lapse was reported in this window.');
  var ol = add(root, 'ol', 'entries');
  lapseEntries.forEach(function (e) { entryItem(ol, e); });

  section('Services: minutes mandated and delivered', 'services');
  var rows = list(minutes.services);
  if (!rows.length) none('No service was mandated in this window.');
  else {
    var box = add(root, 'div', 'scroll');
    var t = add(box, 'table');
    var hr = add(t, 'tr');
    ['Service', 'Mandated', 'Delivered', 'Short'].forEach(function (h) {
      add(hr, 'th', '', h); });
    rows.forEach(function (r) {
      var tr = add(t, 'tr');
      tr.setAttribute('data-service-id', r.service_id);
      add(tr, 'td', '', r.service_type);
      add(tr, 'td', '', r.mandated_minutes || 0);
      add(tr, 'td', '', r.delivered_minutes || 0);
      add(tr, 'td', '', r.shortfall_minutes || 0);
    });
  }
  ol = add(root, 'ol', 'entries');
  byTopic(['session']).forEach(function (e) { entryItem(ol, e); });

  section('Requests and their clocks', 'requests');
  if (!list(p.requests).length) none('No written request is recorded.');
  list(p.requests).forEach(function (r) {
    var h = add(root, 'h3', '', r.request.sent_date + ': request for ' +
        r.request.request_kind.replace('REQUEST_KIND_', '').toLowerCase()
            .replace(/_/g, ' '));
    h.setAttribute('data-request-id', r.request.id);
    add(root, 'p', '', '\u201c' + r.request.text + '\u201d');
    var l = add(root, 'ul');
    add(l, 'li', '', r.received_day ? 'received by the school ' +
        r.received_day : 'no receipt recorded by the school');
    if (!list(r.clocks).length) add(l, 'li', '', 'no fixed deadline in the ' +
        r.jurisdiction + ' rules');
    list(r.clocks).forEach(function (c) {
      var li = add(l, 'li', '', c.title + ' (' + c.source + '): due ' +
          c.due_day + ' \u2014 ');
      var late = c.state === 'OVERDUE' || c.state === 'MET_LATE';
      add(li, 'span', late ? 'tag overdue' : 'tag',
          c.state === 'MET' ? 'met ' + c.met_day :
          c.state === 'MET_LATE' ? 'met late ' + c.met_day :
          c.state === 'OVERDUE' ? 'overdue' : 'open');
    });
    list(r.answers).forEach(function (a) {
      add(l, 'li', '', 'answered ' + a.day + ': ' + a.description + ' (' +
          a.record_type + ' ' + a.record_id + ')');
    });
  });
  ol = add(root, 'ol', 'entries');
  byTopic(['request', 'receipt', 'release']).forEach(function (e) {
    entryItem(ol, e); });

  section('Notices, meetings and decisions', 'meetings');
  var m = byTopic(['notice', 'meeting', 'decision']);
  if (!m.length) none('None in this window.');
  ol = add(root, 'ol', 'entries');
  m.forEach(function (e) { entryItem(ol, e); });

  section('Progress reports', 'progress');
  var due = list(p.progress_reports);
  if (!due.length) none('No goal states when progress is reported.');
  ul = add(root, 'ul');
  due.forEach(function (d) {
    var li = add(ul, 'li', '', d.due_day + ' \u00b7 ' + d.goal_area + ': ');
    add(li, 'span', d.state === 'MISSING' ? 'tag missing' : 'tag',
        d.state === 'SENT' ? 'sent ' + d.sent_date :
        d.state === 'SENT_LATE' ? 'sent late ' + d.sent_date :
        d.state === 'MISSING' ? 'missing' : 'upcoming');
  });

  section('Deadlines missed', 'deadlines');
  if (!list(p.missed_deadlines).length) none('None in this window.');
  ul = add(root, 'ul');
  list(p.missed_deadlines).forEach(function (d) {
    add(ul, 'li', '', d.title + ' (' + d.source + '): due ' + d.due_day +
        (d.state === 'MET_LATE' ? ', met late on ' + d.met_day : ', overdue'));
  });

  section('Corrections', 'corrections');
  var corr = byTopic(['correction']);
  if (!corr.length) none('No entry was corrected in this window.');
  ol = add(root, 'ol', 'entries');
  corr.forEach(function (e) { entryItem(ol, e); });

  section('Who read the records', 'access');
  if (!list(p.access_log).length) none('No access is logged in this window.');
  ul = add(root, 'ul');
  list(p.access_log).forEach(function (a) {
    add(ul, 'li', '', a.day + ': user ' + a.accessor_user_id + ' (' +
        (a.accessor_role || '').toLowerCase().replace(/_/g, ' ') + '), ' +
        (a.pull_count || 0) + ' reads of ' + (a.record_types || ''));
  });

  section('Everything, in time order', 'timeline');
  ol = add(root, 'ol', 'entries');
  list(p.entries).forEach(function (e) { entryItem(ol, e); });

  document.body.setAttribute('data-drawn', 'yes');
  var wide = document.documentElement.scrollWidth;
  document.body.setAttribute('data-width', window.innerWidth);
  document.body.setAttribute('data-fits', wide <= window.innerWidth ? 'yes' :
      'no');
})();
)js";

}  // namespace

std::string RenderEvidenceJson(const v1::EvidencePacket& packet) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(packet, &json, options);
  return json;
}

std::string RenderEvidenceHtml(const v1::EvidencePacket& packet) {
  const std::string json = JsonForScript(RenderEvidenceJson(packet));
  return absl::StrCat(
      "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<title>The record</title><style>",
      kStyle,
      "</style></head><body><main id=\"root\"><noscript>This page draws "
      "itself from the record embedded in it; open it in a browser with "
      "scripts on.</noscript></main>"
      "<script type=\"application/json\" id=\"packet\">",
      json, "</script><script>", kScript, "</script></body></html>\n");
}

}  // namespace plansync::report
