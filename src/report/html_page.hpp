// The fixed parts of the HTML report: its Content-Security-Policy, its style sheet and its
// script. Internal to the report layer (html_reporter.cpp). None of them holds data from a scan.
#pragma once

#include <string_view>

namespace bbp::report::html {

// Nothing may be loaded: no fetch, image, font, frame or style sheet from anywhere. Inline
// styles and scripts are allowed (the page is one file); images only as data: URIs.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'";

// Runs first, in <head>: counts loads the policy blocked, so a test (or a curious reader) can
// see that the page asked for nothing. Its absence from the DOM means scripts did not run.
inline constexpr std::string_view kWatchScript =
    "(function(){var r=document.documentElement;r.setAttribute('data-blocked-loads','0');"
    "document.addEventListener('securitypolicyviolation',function(){"
    "r.setAttribute('data-blocked-loads',String(Number(r.getAttribute('data-blocked-loads'))+1));"
    "});})();";

inline constexpr std::string_view kStyle = R"css(
:root{--critical:#9b1c1c;--high:#c2410c;--medium:#a16207;--low:#1d4ed8;--pass:#15803d;
--unknown:#7c3aed;--muted:#6b7280;--line:#d1d5db;--bg-fail:#fee2e2;--bg-unknown:#ede9fe;
--bg-pass:#dcfce7;--bg-na:#f3f4f6}
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
margin:0 auto;padding:16px 24px;max-width:1500px;color:#111827;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid var(--line)}
dl.scope{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}
dl.scope dt{color:var(--muted)}dl.scope dd{margin:0}
.state-complete{color:var(--pass);font-weight:600}
.state-incomplete,.state-interrupted{color:var(--critical);font-weight:600}
.counts{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0}
.count{border:1px solid var(--line);border-left:6px solid var(--muted);padding:6px 12px;min-width:110px}
.count .n{display:block;font-size:24px;font-weight:700}
.count.critical{border-left-color:var(--critical)}.count.high{border-left-color:var(--high)}
.count.medium{border-left-color:var(--medium)}.count.low{border-left-color:var(--low)}
.count.unknown{border-left-color:var(--unknown)}
.charts{display:flex;flex-wrap:wrap;gap:24px}
svg.chart{max-width:100%;height:auto}svg.chart text{font-size:12px;fill:#111827}
svg.chart .critical{fill:var(--critical)}svg.chart .high{fill:var(--high)}
svg.chart .medium{fill:var(--medium)}svg.chart .low{fill:var(--low)}
table{border-collapse:collapse;width:100%;margin:6px 0}
th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f9fafb}th button{font:inherit;font-weight:700;border:0;background:none;
padding:0;cursor:pointer}th[aria-sort=ascending] button::after{content:" \25B2"}
th[aria-sort=descending] button::after{content:" \25BC"}
table.grid{width:auto}table.grid td.cell{text-align:center;min-width:30px;font-weight:700}
td.fail{background:var(--bg-fail);color:var(--critical)}
td.unknown{background:var(--bg-unknown);color:var(--unknown)}
td.pass{background:var(--bg-pass);color:var(--pass)}
td.na,td.clear,td.left-out{background:var(--bg-na);color:var(--muted)}
.sev{font-weight:700}.sev.critical{color:var(--critical)}.sev.high{color:var(--high)}
.sev.medium{color:var(--medium)}.sev.low{color:var(--low)}
.badge{display:inline-block;border:1px solid currentColor;border-radius:3px;padding:0 4px;
font-size:11px;font-weight:700;text-transform:uppercase;margin-right:4px}
.badge.new{color:var(--critical)}.badge.suppressed,.badge.unchanged,.badge.fixed{color:var(--muted)}
.why{color:var(--muted)}.muted{color:var(--muted)}
pre.evidence{margin:0;max-height:12em;overflow:auto;font-size:11px;white-space:pre-wrap;
word-break:break-word}
details>summary{cursor:pointer;color:var(--muted);font-size:12px}
table.fixed{table-layout:fixed}table.fixed td{overflow-wrap:anywhere}
col.w-sev{width:6.5em}col.w-rule{width:14em}col.w-ws{width:8em}col.w-project{width:7em}
col.w-resource{width:16em}col.w-evidence{width:22em}
#findings,#unknown,#errors,#fixed,#declared{content-visibility:auto;
contain-intrinsic-size:auto 4000px}
form#filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:8px 0}
form#filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
#shown{color:var(--muted)}
@media print{body{max-width:none;padding:0;font-size:11px}form#filters{display:none}
pre.evidence{max-height:none;overflow:visible}tr,svg{break-inside:avoid}
h2{break-after:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}section{content-visibility:visible}
details>summary{display:none}}
@media print{details::details-content{content-visibility:visible;display:contents}}
)css";

// Sorting and filtering of the findings table. The filter starts from the URL fragment
// ("#severity=high&rule=…&workspace=…&project=…&q=…") and is written back to it.
inline constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  const root = document.documentElement;
  const data = JSON.parse(document.getElementById('bbp-data').textContent);
  const table = document.getElementById('findings-table');
  const form = document.getElementById('filters');
  if (!table || !form) { return; }
  const body = table.tBodies[0];
  const fields = ['severity', 'rule', 'workspace', 'project'];
  const lower = (s) => (s || '').toLowerCase();
  // What the filter compares, read from each row once; a row's text only when searched for.
  let records = Array.from(body.rows, (row) => {
    const record = {row: row, text: null};
    for (const field of fields) { record[field] = lower(row.getAttribute('data-' + field)); }
    return record;
  });
  const textOf = (record) => {
    if (record.text === null) { record.text = lower(record.row.textContent); }
    return record.text;
  };
  for (const field of fields) {
    const select = form.elements[field];
    for (const item of data.filters[field]) {
      const option = document.createElement('option');
      option.value = item.value;
      option.textContent = item.label;
      select.appendChild(option);
    }
  }
  function apply() {
    const want = {};
    for (const field of fields) { want[field] = lower(form.elements[field].value); }
    const q = lower(form.elements.q.value.trim());
    let shown = 0;
    // One pass that only writes: no style or layout is read while rows change.
    for (const record of records) {
      let ok = fields.every((f) => !want[f] || record[f] === want[f]);
      if (ok && q) { ok = textOf(record).includes(q); }
      if (record.row.hidden === ok) { record.row.hidden = !ok; }
      if (ok) { shown += 1; }
    }
    document.getElementById('shown').textContent =
      'Showing ' + shown + ' of ' + records.length + ' findings';
    root.setAttribute('data-shown-findings', String(shown));
  }
  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    for (const field of fields) {
      const select = form.elements[field];
      const wanted = lower(params.get(field));
      const match = Array.from(select.options).find((o) => lower(o.value) === wanted);
      select.value = match ? match.value : '';
    }
    form.elements.q.value = params.get('q') || '';
    apply();
  }
  function writeHash() {
    const params = new URLSearchParams();
    for (const field of [...fields, 'q']) {
      if (form.elements[field].value) { params.set(field, form.elements[field].value); }
    }
    history.replaceState(null, '', '#' + params.toString());
  }
  const collator = new Intl.Collator(undefined, {numeric: true, sensitivity: 'base'});
  const headers = Array.from(table.tHead.rows[0].cells);
  const keyOf = (row, i) => {
    const cell = row.cells[i];
    return cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent.trim();
  };
  function sortBy(i) {
    const ascending = headers[i].getAttribute('aria-sort') !== 'ascending';
    headers.forEach((h) => h.removeAttribute('aria-sort'));
    headers[i].setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    const keyed = records.map((record) => ({key: keyOf(record.row, i), record: record}));
    keyed.sort((a, b) => (ascending ? 1 : -1) * collator.compare(a.key, b.key));
    records = keyed.map((k) => k.record);
    const fragment = document.createDocumentFragment();
    records.forEach((record) => fragment.appendChild(record.row));
    body.appendChild(fragment);
  }
  headers.forEach((th, i) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = th.textContent;
    button.title = 'Sort by ' + th.textContent;
    th.textContent = '';
    th.appendChild(button);
    button.addEventListener('click', () => sortBy(i));
  });
  form.addEventListener('input', () => { apply(); writeHash(); });
  // Printing shows every evidence block (for browsers that cannot open them with CSS alone).
  let opened = [];
  window.addEventListener('beforeprint', () => {
    opened = Array.from(document.querySelectorAll('details:not([open])'));
    opened.forEach((d) => { d.open = true; });
  });
  window.addEventListener('afterprint', () => { opened.forEach((d) => { d.open = false; }); });
  form.addEventListener('submit', (event) => event.preventDefault());
  window.addEventListener('hashchange', readHash);
  window.addEventListener('load', () => {
    root.setAttribute('data-resource-loads',
                      String(performance.getEntriesByType('resource').length));
  });
  form.hidden = false;
  root.classList.add('js');
  readHash();
})();
)js";

}  // namespace bbp::report::html
