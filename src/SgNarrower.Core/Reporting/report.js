(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var S = data.strings, rows = data.rows, F = data.fields;
  var sevRank = { Critical: 5, High: 4, Medium: 3, Low: 2, Informational: 1 };
  var state = { text: '', facets: {}, sortField: F.severity, sortDir: -1, page: 0, size: 50 };
  var matched = rows.map(function (_, i) { return i; });
  var haystacks = null, ranks = null;

  function str(row, field) { return S[rows[row][field]]; }

  // Each column: its header, the field it sorts by, how it sorts, and how a cell shows the row. Cells hold short
  // values; long text (outcomes, reasons, evidence, notes, history) opens in a detail row under the rule. A column
  // with onlyIfAny is left out where no row has that field.
  var columns = [
    { name: 'Severity', sort: F.severity, kind: 'severity', cell: function (r) { return [toggle(r), el('span', 'sev sev-' + str(r, F.severity), str(r, F.severity))]; } },
    { name: 'Account', sort: F.account, onlyIfAny: F.account, cell: function (r) { return [text(str(r, F.account))]; } },
    { name: 'Region', sort: F.region, onlyIfAny: F.region, cell: function (r) { return [text(str(r, F.region))]; } },
    { name: 'Group', sort: F.groupId, cell: function (r) { return [el('span', 'mono', str(r, F.groupId)), sub(str(r, F.groupName))]; } },
    { name: 'Rule', sort: F.rule, cell: function (r) { return [el('span', 'mono', str(r, F.rule)), sub(str(r, F.ruleId))]; } },
    { name: 'Description', sort: F.description, onlyIfAny: F.description, cell: function (r) { return [clip(str(r, F.description))]; } },
    { name: 'Exposure', sort: F.exposure, onlyIfAny: F.attachedTo, cell: function (r) { return [text(str(r, F.exposure))]; } },
    { name: 'Recommendation', sort: F.recommendation, onlyIfAny: F.reason, cell: function (r) { return [text(str(r, F.recommendation))]; } },
    { name: 'Observed sources', sort: F.observedCount, kind: 'number', onlyIfAny: F.observedCount, cell: function (r) { return [text(str(r, F.observedCount))]; } },
    { name: 'Proposed cover', sort: F.cover, onlyIfAny: F.cover, cell: function (r) { return [clip(str(r, F.cover), 'mono')]; } },
    { name: 'Opened by', sort: F.openedAt, onlyIfAny: F.openedBy, cell: function (r) { return [clip(str(r, F.openedBy)), sub(str(r, F.openedAt))]; } },
    { name: 'Exception', sort: F.exception, onlyIfAny: F.exceptionOwner, cell: function (r) { return str(r, F.exception) === 'None' ? [] : [text(str(r, F.exception)), sub(str(r, F.exceptionOwner)), sub((str(r, F.exception) === 'Live' ? 'until ' : 'ended ') + str(r, F.exceptionEnds))]; } },
    { name: 'Status', sort: F.status, cell: function (r) { return [text(str(r, F.status))]; } },
    // A record is named by its run; the whole location shows on hover.
    { name: 'Record', sort: F.recordedAt, onlyIfAny: F.record, cell: function (r) { return [runName(r), sub(str(r, F.recordedAt))]; } }
  ];
  columns = columns.filter(function (c) { return c.onlyIfAny === undefined || rows.some(function (_, i) { return str(i, c.onlyIfAny) !== ''; }); });

  // What a rule's detail row holds, in this order, where the rule has it.
  var details = [
    ['Status', function (r) { return [str(r, F.status), str(r, F.outcome), str(r, F.replacedWith) ? 'Replaced with ' + str(r, F.replacedWith) : ''].filter(Boolean).join(' - '); }],
    ['Description', function (r) { return str(r, F.description); }],
    ['Exposure', function (r) { return str(r, F.attachedTo) ? str(r, F.exposure) + ': ' + str(r, F.attachedTo) : ''; }],
    ['Recommendation', function (r) { return str(r, F.reason) ? str(r, F.recommendation) + ': ' + str(r, F.reason) : ''; }],
    ['Observed sources', function (r) { return str(r, F.observed); }],
    ['Proposed cover', function (r) { return str(r, F.cover); }],
    ['Opened', function (r) { return str(r, F.provenanceNote); }],
    ['Exception', function (r) { return str(r, F.exceptionNote); }],
    ['History', function (r) { return str(r, F.history); }]
  ];
  var open = {};

  function text(t) { return document.createTextNode(t); }
  function el(tag, cls, t) { var e = document.createElement(tag); if (cls) e.className = cls; if (t !== undefined) e.textContent = t; return e; }
  function sub(t) { return t ? el('span', 'sub', t) : null; }
  // A record's file or object name, its whole path or URI on hover and in the text filter.
  // A long value in one line, cut with an ellipsis; the whole of it on hover and in the detail row.
  function clip(t, cls) { if (!t) return null; var e = el('span', 'clip' + (cls ? ' ' + cls : ''), t); e.title = t; return e; }
  function runName(r) { var id = str(r, F.runId), where = str(r, F.record); if (!id && !where) return null; var e = el('span', 'clip mono', id || where.replace(/^.*[\\/]/, '')); e.title = where; return e; }
  function toggle(r) {
    var b = el('button', 'more', open[r] ? '\u2212' : '+');
    b.type = 'button';
    b.setAttribute('aria-expanded', open[r] ? 'true' : 'false');
    b.setAttribute('aria-label', (open[r] ? 'Hide' : 'Show') + ' the details of this rule');
    b.addEventListener('click', function () { open[r] = !open[r]; render(); });
    return b;
  }
  function detailRow(r) {
    var tr = el('tr', 'detail'), td = el('td');
    td.colSpan = columns.length;
    var dl = el('dl');
    details.forEach(function (d) {
      var v = d[1](r);
      if (!v) return;
      dl.appendChild(el('dt', null, d[0]));
      var dd = el('dd');
      v.split('\n').forEach(function (line) { dd.appendChild(el('div', null, line)); });
      dl.appendChild(dd);
    });
    td.appendChild(dl);
    tr.appendChild(td);
    return tr;
  }

  function stringRanks() {
    if (ranks) return ranks;
    var order = S.map(function (_, i) { return i; });
    var lower = S.map(function (s) { return s.toLowerCase(); });
    order.sort(function (a, b) { return lower[a] < lower[b] ? -1 : lower[a] > lower[b] ? 1 : 0; });
    ranks = new Int32Array(S.length);
    for (var i = 0; i < order.length; i++) ranks[order[i]] = i;
    return ranks;
  }

  function sortKey(field, kind) {
    if (kind === 'severity') return function (r) { return sevRank[str(r, field)] || 0; };
    if (kind === 'number') return function (r) { var n = parseFloat(str(r, field)); return isNaN(n) ? -1 : n; };
    var rk = stringRanks();
    return function (r) { return rk[rows[r][field]]; };
  }

  function apply() {
    var facets = Object.keys(state.facets).filter(function (k) { return state.facets[k] !== ''; });
    var needle = state.text.toLowerCase();
    if (needle && !haystacks) haystacks = rows.map(function (row) { return row.map(function (i) { return S[i]; }).join('\u0001').toLowerCase(); });
    matched = [];
    for (var r = 0; r < rows.length; r++) {
      var ok = true;
      for (var f = 0; f < facets.length && ok; f++) ok = str(r, F[facets[f]]) === state.facets[facets[f]];
      if (ok && needle) ok = haystacks[r].indexOf(needle) >= 0;
      if (ok) matched.push(r);
    }
    var column = columns.filter(function (c) { return c.sort === state.sortField; })[0];
    var key = sortKey(state.sortField, column ? column.kind : undefined);
    var keys = new Float64Array(rows.length);
    for (var m = 0; m < matched.length; m++) keys[matched[m]] = key(matched[m]);
    var dir = state.sortDir;
    matched.sort(function (a, b) { return keys[a] === keys[b] ? a - b : (keys[a] < keys[b] ? -dir : dir); });
    state.page = Math.min(state.page, Math.max(0, Math.ceil(matched.length / state.size) - 1));
    render();
  }

  function render() {
    var body = document.querySelector('#rules-table tbody');
    var start = state.page * state.size, end = Math.min(matched.length, start + state.size);
    var frag = document.createDocumentFragment();
    for (var i = start; i < end; i++) {
      var r = matched[i], tr = document.createElement('tr');
      tr.setAttribute('data-row', String(r));
      for (var c = 0; c < columns.length; c++) {
        var td = document.createElement('td');
        columns[c].cell(r).forEach(function (n) { if (n) td.appendChild(n); });
        tr.appendChild(td);
      }
      frag.appendChild(tr);
      if (open[r]) frag.appendChild(detailRow(r));
    }
    body.textContent = '';
    body.appendChild(frag);
    var pages = Math.max(1, Math.ceil(matched.length / state.size));
    var count = document.getElementById('match-count');
    count.setAttribute('data-count', String(matched.length));
    count.textContent = matched.length === 0 ? 'No rule matches' :
      'Showing ' + (start + 1).toLocaleString('en') + '\u2013' + end.toLocaleString('en') + ' of ' + matched.length.toLocaleString('en') + ' matching rule(s)';
    document.getElementById('page-status').textContent = 'Page ' + (state.page + 1) + ' of ' + pages;
    document.getElementById('page-first').disabled = document.getElementById('page-prev').disabled = state.page === 0;
    document.getElementById('page-next').disabled = document.getElementById('page-last').disabled = state.page >= pages - 1;
    document.getElementById('no-match').hidden = matched.length !== 0;
    var ths = document.querySelectorAll('#rules-table thead th');
    for (var h = 0; h < ths.length; h++)
      ths[h].setAttribute('aria-sort', columns[h].sort === state.sortField ? (state.sortDir > 0 ? 'ascending' : 'descending') : 'none');
  }

  function header() {
    var tr = document.querySelector('#rules-table thead tr');
    columns.forEach(function (c) {
      var th = document.createElement('th');
      th.scope = 'col';
      var b = el('button', null, c.name);
      b.type = 'button';
      b.title = 'Sort by ' + c.name;
      b.addEventListener('click', function () {
        if (state.sortField === c.sort) state.sortDir = -state.sortDir;
        else { state.sortField = c.sort; state.sortDir = c.kind ? -1 : 1; }
        state.page = 0;
        apply();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
  }

  function wire() {
    var timer = null;
    document.getElementById('filter').addEventListener('input', function (e) {
      var v = e.target.value;
      clearTimeout(timer);
      timer = setTimeout(function () { state.text = v; state.page = 0; apply(); }, 120);
    });
    var selects = document.querySelectorAll('select[data-facet]');
    for (var i = 0; i < selects.length; i++) {
      selects[i].addEventListener('change', function (e) { state.facets[e.target.getAttribute('data-facet')] = e.target.value; state.page = 0; apply(); });
    }
    document.getElementById('page-size').addEventListener('change', function (e) { state.size = parseInt(e.target.value, 10); state.page = 0; apply(); });
    function go(p) { return function () { state.page = p(); render(); }; }
    var last = function () { return Math.max(0, Math.ceil(matched.length / state.size) - 1); };
    document.getElementById('page-first').addEventListener('click', go(function () { return 0; }));
    document.getElementById('page-prev').addEventListener('click', go(function () { return Math.max(0, state.page - 1); }));
    document.getElementById('page-next').addEventListener('click', go(function () { return Math.min(last(), state.page + 1); }));
    document.getElementById('page-last').addEventListener('click', go(last));
  }

  header();
  wire();
  apply();
  document.body.setAttribute('data-ready', 'true');
})();
