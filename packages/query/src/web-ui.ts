// The querier's web UI: one self-contained page (no build step, no external assets) with
// a query box that autocompletes metric and label names, Table and Graph tabs (an SVG
// line chart drawn here), and a Stores page. The embedded script avoids template
// literals so that the page can live in this TypeScript string.

export const WEB_UI_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>thanos-ts querier</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; color: #222; background: #fafafa; }
  nav { background: #2d3e50; padding: 8px 16px; display: flex; gap: 16px; align-items: center; }
  nav a { color: #fff; text-decoration: none; font-weight: 600; }
  nav a.active { text-decoration: underline; }
  main { padding: 16px; }
  .row { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; flex-wrap: wrap; }
  #expr { flex: 1; min-width: 300px; font-family: monospace; font-size: 14px; padding: 6px; }
  .ac-wrap { position: relative; flex: 1; display: flex; }
  #suggest { position: absolute; top: 100%; left: 0; right: 0; background: #fff; border: 1px solid #ccc;
    list-style: none; margin: 0; padding: 0; max-height: 240px; overflow-y: auto; z-index: 10; font-family: monospace; }
  #suggest li { padding: 3px 8px; cursor: pointer; }
  #suggest li.sel, #suggest li:hover { background: #e0ecff; }
  .tabs button { border: 1px solid #ccc; background: #eee; padding: 4px 12px; cursor: pointer; }
  .tabs button.active { background: #fff; border-bottom-color: #fff; font-weight: 600; }
  table { border-collapse: collapse; width: 100%; background: #fff; }
  td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: left; font-family: monospace; font-size: 13px; }
  .error { color: #b00; white-space: pre-wrap; }
  .warning { color: #a60; }
  #legend div { font-family: monospace; font-size: 12px; display: flex; align-items: center; gap: 6px; }
  #legend span.swatch { width: 12px; height: 4px; display: inline-block; }
  .up { color: #080; font-weight: 600; } .down { color: #b00; font-weight: 600; }
</style>
</head>
<body>
<nav>
  <span style="color:#9cf;font-weight:700">thanos-ts</span>
  <a href="/graph" id="nav-graph">Graph</a>
  <a href="/stores" id="nav-stores">Stores</a>
</nav>
<main>
<section id="page-graph">
  <div class="row">
    <div class="ac-wrap">
      <input id="expr" autocomplete="off" spellcheck="false" placeholder="Expression (press Enter to execute)">
      <ul id="suggest" hidden></ul>
    </div>
    <button id="run">Execute</button>
  </div>
  <div class="row">
    <label><input type="checkbox" id="dedup" checked> deduplication</label>
    <label><input type="checkbox" id="partial" checked> partial response</label>
    <label>range <select id="range">
      <option>5m</option><option>15m</option><option selected>1h</option><option>3h</option>
      <option>6h</option><option>12h</option><option>1d</option><option>2d</option><option>1w</option>
    </select></label>
    <label>end <input id="end" placeholder="now (RFC3339 or unix seconds)" size="26"></label>
  </div>
  <div class="row tabs"><button id="tab-table">Table</button><button id="tab-graph">Graph</button></div>
  <div id="status"></div>
  <div id="out-table"></div>
  <div id="out-graph" hidden><svg id="chart" width="960" height="360" role="img"></svg><div id="legend"></div></div>
</section>
<section id="page-stores" hidden>
  <h2>Stores</h2>
  <div id="stores"></div>
</section>
</main>
<script>
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };
  var params = new URLSearchParams(location.search);
  var state = {
    expr: params.get('expr') || '',
    tab: params.get('tab') === 'graph' ? 'graph' : 'table',
    range: params.get('range') || '1h',
    end: params.get('end') || '',
    dedup: params.get('dedup') !== 'false',
    partial: params.get('partial_response') !== 'false'
  };
  var RANGES = { '5m': 300, '15m': 900, '1h': 3600, '3h': 10800, '6h': 21600, '12h': 43200, '1d': 86400, '2d': 172800, '1w': 604800 };
  var COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function svg(tag, attrs) {
    var e = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    return e;
  }
  function metricText(m) {
    var name = m.__name__ || '';
    var parts = [];
    Object.keys(m).forEach(function (k) { if (k !== '__name__') parts.push(k + '=' + JSON.stringify(m[k])); });
    return name + '{' + parts.join(', ') + '}';
  }
  function api(path, form) {
    var body = new URLSearchParams(form);
    body.set('dedup', String(state.dedup));
    body.set('partial_response', String(state.partial));
    return fetch(path, { method: 'POST', body: body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
      .then(function (r) { return r.json(); });
  }
  function endTime() {
    if (!state.end) return Date.now() / 1000;
    var n = Number(state.end);
    return isNaN(n) ? Date.parse(state.end) / 1000 : n;
  }

  // ---- routing ----
  function showPage() {
    var stores = location.pathname === '/stores';
    $('page-graph').hidden = stores;
    $('page-stores').hidden = !stores;
    $('nav-graph').className = stores ? '' : 'active';
    $('nav-stores').className = stores ? 'active' : '';
    if (stores) loadStores();
  }

  // ---- autocompletion ----
  var names = { metrics: [], labels: [] };
  function loadNames() {
    var get = function (path) {
      return fetch(path).then(function (r) { return r.json(); }).then(function (j) { return j.data || []; }, function () { return []; });
    };
    Promise.all([get('/api/v1/label/__name__/values'), get('/api/v1/labels')]).then(function (lists) {
      names.metrics = lists[0];
      names.labels = lists[1];
      document.body.setAttribute('data-names', 'loaded');
    });
  }
  var suggestIndex = -1;
  function currentWord() {
    var input = $('expr');
    var upto = input.value.slice(0, input.selectionStart);
    var m = /[a-zA-Z_:][a-zA-Z0-9_:]*$/.exec(upto);
    return m ? { word: m[0], start: upto.length - m[0].length, inBraces: upto.lastIndexOf('{') > upto.lastIndexOf('}') } : null;
  }
  function updateSuggest() {
    var list = $('suggest');
    list.innerHTML = '';
    suggestIndex = -1;
    var w = currentWord();
    if (!w) { list.hidden = true; return; }
    var pool = w.inBraces ? names.labels : names.metrics.concat(names.labels);
    var hits = pool.filter(function (n) { return n.indexOf(w.word) === 0 && n !== w.word; }).slice(0, 20);
    hits.forEach(function (h) {
      var li = el('li', {}, h);
      li.addEventListener('mousedown', function (ev) { ev.preventDefault(); accept(h); });
      list.appendChild(li);
    });
    list.hidden = hits.length === 0;
  }
  function accept(text) {
    var w = currentWord();
    var input = $('expr');
    if (!w) return;
    var after = input.value.slice(input.selectionStart);
    input.value = input.value.slice(0, w.start) + text + after;
    var pos = w.start + text.length;
    input.setSelectionRange(pos, pos);
    $('suggest').hidden = true;
  }
  function moveSuggest(d) {
    var items = $('suggest').children;
    if (!items.length) return;
    suggestIndex = (suggestIndex + d + items.length) % items.length;
    for (var i = 0; i < items.length; i++) items[i].className = i === suggestIndex ? 'sel' : '';
  }

  // ---- query ----
  function syncUrl() {
    var p = new URLSearchParams();
    p.set('expr', state.expr);
    p.set('tab', state.tab);
    p.set('range', state.range);
    if (state.end) p.set('end', state.end);
    if (!state.dedup) p.set('dedup', 'false');
    if (!state.partial) p.set('partial_response', 'false');
    history.replaceState(null, '', '/graph?' + p.toString());
  }
  function showStatus(j) {
    var s = $('status');
    s.innerHTML = '';
    if (j.status === 'error') s.appendChild(el('div', { class: 'error', id: 'query-error' }, 'Error (' + j.errorType + '): ' + j.error));
    (j.warnings || []).forEach(function (w) { s.appendChild(el('div', { class: 'warning' }, 'Warning: ' + w)); });
  }
  function execute() {
    state.expr = $('expr').value.trim();
    syncUrl();
    if (!state.expr) return;
    $('tab-table').className = state.tab === 'table' ? 'active' : '';
    $('tab-graph').className = state.tab === 'graph' ? 'active' : '';
    $('out-table').hidden = state.tab !== 'table';
    $('out-graph').hidden = state.tab !== 'graph';
    var end = endTime();
    if (state.tab === 'table') {
      api('/api/v1/query', { query: state.expr, time: String(end) }).then(function (j) { showStatus(j); renderTable(j); });
    } else {
      var range = RANGES[state.range] || 3600;
      var step = Math.max(1, Math.round(range / 250));
      api('/api/v1/query_range', { query: state.expr, start: String(end - range), end: String(end), step: String(step) })
        .then(function (j) { showStatus(j); renderGraph(j, end - range, end); });
    }
  }
  function renderTable(j) {
    var out = $('out-table');
    out.innerHTML = '';
    if (j.status !== 'success') return;
    var t = el('table', { id: 'result-table' });
    var d = j.data;
    var rows = [];
    if (d.resultType === 'vector') d.result.forEach(function (s) { rows.push([metricText(s.metric), s.value[1]]); });
    else if (d.resultType === 'matrix') d.result.forEach(function (s) {
      rows.push([metricText(s.metric), s.values.map(function (v) { return v[1] + ' @' + v[0]; }).join('\n')]);
    });
    else rows.push(['scalar', String(d.result[1])]);
    if (!rows.length) out.appendChild(el('p', {}, 'Empty query result'));
    rows.forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', {}, r[0]));
      tr.appendChild(el('td', { style: 'white-space:pre' }, r[1]));
      t.appendChild(tr);
    });
    out.appendChild(t);
  }
  function niceTicks(min, max, count) {
    var span = max - min || 1;
    var raw = span / count;
    var mag = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (f) { return f * mag; }).filter(function (s) { return s >= raw; })[0];
    var ticks = [];
    for (var v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) ticks.push(v);
    return ticks;
  }
  function renderGraph(j, start, end) {
    var chart = $('chart');
    var legend = $('legend');
    chart.innerHTML = '';
    legend.innerHTML = '';
    if (j.status !== 'success') return;
    var W = 960, H = 360, L = 70, R = 10, T = 10, B = 30;
    var series = j.data.result;
    var vmin = Infinity, vmax = -Infinity;
    series.forEach(function (s) {
      s.values.forEach(function (p) {
        var v = Number(p[1]);
        if (isFinite(v)) { vmin = Math.min(vmin, v); vmax = Math.max(vmax, v); }
      });
    });
    if (!isFinite(vmin)) { vmin = 0; vmax = 1; }
    if (vmin === vmax) { vmin -= 1; vmax += 1; }
    var x = function (t) { return L + (t - start) / (end - start || 1) * (W - L - R); };
    var y = function (v) { return T + (1 - (v - vmin) / (vmax - vmin)) * (H - T - B); };
    chart.appendChild(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fff', stroke: '#ccc' }));
    niceTicks(vmin, vmax, 5).forEach(function (v) {
      chart.appendChild(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#eee' }));
      var label = svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11 });
      label.textContent = String(Math.round(v * 1e6) / 1e6);
      chart.appendChild(label);
    });
    niceTicks(start, end, 6).forEach(function (t) {
      var label = svg('text', { x: x(t), y: H - 10, 'text-anchor': 'middle', 'font-size': 11 });
      label.textContent = new Date(t * 1000).toISOString().slice(11, 19);
      chart.appendChild(label);
    });
    series.forEach(function (s, i) {
      var color = COLORS[i % COLORS.length];
      var d = '';
      var pen = 'M';
      s.values.forEach(function (p) {
        var v = Number(p[1]);
        if (!isFinite(v)) { pen = 'M'; return; }
        d += pen + x(Number(p[0])).toFixed(1) + ',' + y(v).toFixed(1) + ' ';
        pen = 'L';
      });
      chart.appendChild(svg('path', { d: d.trim(), fill: 'none', stroke: color, 'stroke-width': 1.5, class: 'series-line' }));
      var item = el('div', { class: 'legend-item' });
      item.appendChild(el('span', { class: 'swatch', style: 'background:' + color }));
      item.appendChild(document.createTextNode(metricText(s.metric)));
      legend.appendChild(item);
    });
  }

  // ---- stores ----
  function loadStores() {
    fetch('/api/v1/stores').then(function (r) { return r.json(); }).then(function (j) {
      var out = $('stores');
      out.innerHTML = '';
      Object.keys(j.data || {}).forEach(function (type) {
        out.appendChild(el('h3', {}, type));
        var t = el('table', { class: 'stores-table' });
        var head = el('tr');
        ['Endpoint', 'Health', 'Labels', 'Min time', 'Max time', 'Last check', 'Last error'].forEach(function (h) { head.appendChild(el('th', {}, h)); });
        t.appendChild(head);
        j.data[type].forEach(function (s) {
          var tr = el('tr');
          var fmt = function (ms) { return Math.abs(ms) > 8.64e15 ? '-' : new Date(ms).toISOString(); };
          tr.appendChild(el('td', {}, s.name));
          tr.appendChild(el('td', { class: s.health }, s.health === 'up' ? 'UP' : 'DOWN'));
          tr.appendChild(el('td', {}, s.labelSets.map(metricText).join(' ')));
          tr.appendChild(el('td', {}, fmt(s.minTime)));
          tr.appendChild(el('td', {}, fmt(s.maxTime)));
          tr.appendChild(el('td', {}, s.lastCheck || '-'));
          tr.appendChild(el('td', {}, s.lastError || ''));
          t.appendChild(tr);
        });
        out.appendChild(t);
      });
    });
  }

  // ---- wiring ----
  $('expr').value = state.expr;
  $('range').value = state.range;
  $('end').value = state.end;
  $('dedup').checked = state.dedup;
  $('partial').checked = state.partial;
  $('expr').addEventListener('input', updateSuggest);
  $('expr').addEventListener('blur', function () { $('suggest').hidden = true; });
  $('expr').addEventListener('keydown', function (ev) {
    var open = !$('suggest').hidden;
    if (open && ev.key === 'ArrowDown') { moveSuggest(1); ev.preventDefault(); }
    else if (open && ev.key === 'ArrowUp') { moveSuggest(-1); ev.preventDefault(); }
    else if (open && (ev.key === 'Tab' || (ev.key === 'Enter' && suggestIndex >= 0))) {
      var items = $('suggest').children;
      accept(items[Math.max(0, suggestIndex)].textContent);
      ev.preventDefault();
    } else if (ev.key === 'Enter') { $('suggest').hidden = true; execute(); }
    else if (ev.key === 'Escape') $('suggest').hidden = true;
  });
  $('run').addEventListener('click', execute);
  $('tab-table').addEventListener('click', function () { state.tab = 'table'; execute(); });
  $('tab-graph').addEventListener('click', function () { state.tab = 'graph'; execute(); });
  $('range').addEventListener('change', function () { state.range = $('range').value; execute(); });
  $('end').addEventListener('change', function () { state.end = $('end').value.trim(); execute(); });
  $('dedup').addEventListener('change', function () { state.dedup = $('dedup').checked; execute(); });
  $('partial').addEventListener('change', function () { state.partial = $('partial').checked; execute(); });
  showPage();
  loadNames();
  if (state.expr && location.pathname !== '/stores') execute();
})();
</script>
</body>
</html>
`;
