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
table.grid th.rule{vertical-align:bottom;text-align:center;padding:4px 2px;font-weight:600}
table.grid th.rule a{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;
color:inherit;text-decoration:none}
td.num{text-align:right;white-space:nowrap}table.rules td.remediation{min-width:24em}
details.fix{margin-top:2px}p.fix-text{margin:2px 0}
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
#shown{color:var(--muted)}p.more{margin:4px 0}p.more button{font:inherit;cursor:pointer}
@media print{body{max-width:none;padding:0;font-size:11px}form#filters,p.more{display:none}
pre.evidence{max-height:none;overflow:visible}tr,svg{break-inside:avoid}
h2{break-after:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
a{color:inherit;text-decoration:none}section{content-visibility:visible}
details>summary{display:none}details.fix{display:none}}
@media print{details::details-content{content-visibility:visible;display:contents}}
)css";

// The page's script: sorting, filtering and "Show more" for the findings table, "Show more" for
// the other long tables, and each finding's remediation when its "How to fix" is opened. A long
// table's rows after the first few hundred are in <noscript> blocks, which a browser running this
// script has read as text: the script keeps them as HTML and builds rows from them only when they
// are to be shown. The filter starts from the URL fragment
// ("#severity=high&rule=…&workspace=…&project=…&q=…") and is written back to it.
inline constexpr std::string_view kScript = R"js(
(function () {
  'use strict';
  const root = document.documentElement;
  const data = JSON.parse(document.getElementById('bbp-data').textContent);
  const batch = data.batch;
  const lower = (s) => (s || '').toLowerCase();
  const names = {amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0',
                 mdash: '\u2014', middot: '\u00b7'};
  // Character references back to characters (the page writes these and numeric ones).
  const decode = (s) => s.replace(/&(?:#(\d+)|#x([0-9a-f]+)|([a-z]+));/gi, (m, dec, hex, name) => {
    if (dec || hex) { return String.fromCodePoint(dec ? Number(dec) : parseInt(hex, 16)); }
    return Object.prototype.hasOwnProperty.call(names, name) ? names[name] : m;
  });
  // The text of a row written as HTML, as textContent gives it for an element.
  const textOfHtml = (html) => decode(html.replace(/<[^>]*>/g, ''));
  // The rows a long table left in its noscript blocks, as HTML, in order. The blocks go: with
  // scripts running they would never be shown.
  function restOf(table) {
    const rows = [];
    for (const block of document.querySelectorAll('noscript[data-rest-of="' + table.id + '"]')) {
      const text = block.textContent;
      const body = text.slice(text.indexOf('<tbody>\n') + 8, text.lastIndexOf('</tbody>'));
      for (const row of body.split('</tr>\n')) {
        if (row) { rows.push(row + '</tr>'); }
      }
      block.remove();
    }
    return rows;
  }
  // Rows built from their HTML in one parse, outside the document.
  const parser = document.createElement('template');
  function build(htmls) {
    if (htmls.length === 0) { return []; }
    parser.innerHTML = '<table><tbody>' + htmls.join('') + '</tbody></table>';
    const rows = Array.from(parser.content.querySelector('tbody').rows);
    parser.innerHTML = '';
    return rows;
  }
  // "Show more" and "Show the other N" under a table; more(n) adds up to n rows (Infinity:
  // all of them). Returns the function that updates the buttons with the rows not shown.
  function pager(table, more) {
    const bar = document.createElement('p');
    bar.className = 'more';
    bar.id = table.id + '-more';
    const next = document.createElement('button');
    const all = document.createElement('button');
    next.type = 'button';
    all.type = 'button';
    bar.append(next, ' ', all);
    table.after(bar);
    next.addEventListener('click', () => more(batch));
    all.addEventListener('click', () => more(Infinity));
    return (left) => {
      bar.hidden = left === 0;
      all.hidden = left <= batch;
      next.textContent = 'Show ' + Math.min(batch, left) + ' more';
      all.textContent = 'Show the other ' + left;
    };
  }
  const printing = [];  // what shows every row before printing
  // A table without filters: the rows it left out are added at its end, a batch at a time.
  function extend(table) {
    const rest = restOf(table);
    const body = table.tBodies[0];
    let next = 0;
    const update = pager(table, (n) => {
      const part = rest.slice(next, next + n);
      next += part.length;
      body.insertAdjacentHTML('beforeend', part.join(''));
      update(rest.length - next);
    });
    update(rest.length);
    printing.push(() => {
      body.insertAdjacentHTML('beforeend', rest.slice(next).join(''));
      next = rest.length;
      update(0);
    });
  }
  function findings(table, form) {
    const body = table.tBodies[0];
    // The workspace filter is left out when the scan covers one workspace.
    const fields = ['severity', 'rule', 'workspace', 'project'].filter((f) => form.elements[f]);
    const patterns = fields.map((field) => new RegExp(' data-' + field + '="([^"]*)"'));
    // What the filter compares, read from each row once; a row's text and sort keys only when
    // they are needed.
    const fromRow = (row) => {
      const record = {row: row, html: null, text: null, keys: null};
      for (const field of fields) { record[field] = lower(row.getAttribute('data-' + field)); }
      return record;
    };
    const fromHtml = (html) => {
      const record = {row: null, html: html, text: null, keys: null};
      const tag = html.slice(0, html.indexOf('>'));
      fields.forEach((field, i) => {
        const match = patterns[i].exec(tag);
        record[field] = lower(match ? decode(match[1]) : '');
      });
      return record;
    };
    let records = Array.from(body.rows, fromRow).concat(restOf(table).map(fromHtml));
    const textOf = (record) => {
      if (record.text === null) {
        record.text =
            lower(record.html === null ? record.row.textContent : textOfHtml(record.html));
      }
      return record.text;
    };
    // A cell's data-sort when it has one, else its text.
    const keysOf = (record) => {
      if (record.keys === null && record.html === null) {
        record.keys = Array.from(record.row.cells, (cell) => (
            cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort')
                                           : cell.textContent.trim()));
      } else if (record.keys === null) {
        record.keys = Array.from(record.html.matchAll(/<td([^>]*)>([\s\S]*?)<\/td>/g), (m) => {
          const sort = / data-sort="([^"]*)"/.exec(m[1]);
          return sort ? decode(sort[1]) : textOfHtml(m[2]).trim();
        });
      }
      return record.keys;
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
    let matching = records;
    let filtered = false;
    let limit = batch;
    const update = pager(table, (n) => { limit += n; render(); });
    // The first `limit` matching rows, built where they are still HTML, replace the table's.
    function render() {
      const shown = matching.slice(0, limit);
      const missing = shown.filter((record) => record.row === null);
      build(missing.map((record) => record.html)).forEach((row, i) => { missing[i].row = row; });
      const fragment = document.createDocumentFragment();
      for (const record of shown) { fragment.appendChild(record.row); }
      body.textContent = '';
      body.appendChild(fragment);
      update(matching.length - shown.length);
      document.getElementById('shown').textContent = 'Showing ' + shown.length + ' of ' +
          (filtered ? matching.length + ' findings that match (' + records.length + ' in all)'
                    : records.length + ' findings');
      root.setAttribute('data-shown-findings', String(matching.length));
      root.setAttribute('data-rendered-findings', String(shown.length));
    }
    function apply() {
      const want = fields.map((field) => lower(form.elements[field].value));
      const q = lower(form.elements.q.value.trim());
      filtered = q !== '' || want.some((w) => w !== '');
      matching = records.filter((record) => (
          fields.every((field, i) => !want[i] || record[field] === want[i]) &&
          (!q || textOf(record).includes(q))));
      limit = batch;
      render();
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
    function sortBy(i) {
      const ascending = headers[i].getAttribute('aria-sort') !== 'ascending';
      headers.forEach((h) => h.removeAttribute('aria-sort'));
      headers[i].setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      const keyed = records.map((record) => ({key: keysOf(record)[i] || '', record: record}));
      keyed.sort((a, b) => (ascending ? 1 : -1) * collator.compare(a.key, b.key));
      records = keyed.map((k) => k.record);
      apply();
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
    form.addEventListener('submit', (event) => event.preventDefault());
    window.addEventListener('hashchange', readHash);
    printing.push(() => { if (limit < matching.length) { limit = Infinity; render(); } });
    form.hidden = false;
    readHash();
  }
  // A finding's "How to fix" holds a link to its rule's row in the Rules section; opened, it
  // also shows the rule's remediation, read from that row (the page holds it once per rule).
  function fixes(table) {
    table.addEventListener('toggle', (event) => {
      const fold = event.target;
      if (!fold.classList.contains('fix') || !fold.open || fold.querySelector('.fix-text')) {
        return;
      }
      const link = fold.querySelector('a[href^="#rule-"]');
      const row = link && document.getElementById(link.getAttribute('href').slice(1));
      const source = row && row.querySelector('.remediation');
      if (source) {
        const text = document.createElement('p');
        text.className = 'fix-text';
        text.textContent = source.textContent;
        link.before(text);
      }
    }, true);  // toggle does not bubble: caught on its way down
  }
  const table = document.getElementById('findings-table');
  const form = document.getElementById('filters');
  if (table && form) { findings(table, form); }
  if (table) { fixes(table); }
  const long = new Set(Array.from(document.querySelectorAll('noscript[data-rest-of]'),
                                  (block) => block.getAttribute('data-rest-of')));
  for (const id of long) { extend(document.getElementById(id)); }
  // Printing shows every row (of the filtered view) and every evidence block (for browsers that
  // cannot open them with CSS alone).
  let opened = [];
  window.addEventListener('beforeprint', () => {
    printing.forEach((show) => show());
    // Not the findings' "How to fix": printed, the Rules section says it once per rule.
    opened = Array.from(document.querySelectorAll('details:not([open]):not(.fix)'));
    opened.forEach((d) => { d.open = true; });
  });
  window.addEventListener('afterprint', () => { opened.forEach((d) => { d.open = false; }); });
  window.addEventListener('load', () => {
    root.setAttribute('data-resource-loads',
                      String(performance.getEntriesByType('resource').length));
  });
  root.classList.add('js');
})();
)js";

}  // namespace bbp::report::html
