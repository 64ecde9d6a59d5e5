// The script report.html runs in the browser, kept as text because it is inlined in the page
// (no bundler step, no network). It draws every chart from its Vega-Lite spec with vega's View
// API, keeping the PNG fallback where drawing fails, and runs the sample drill-down. Untrusted
// text (prompts, completions, answers) only ever reaches the page through textContent.
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  // --- charts: Vega-Lite spec -> Vega -> View (SVG) in each container; the PNG stays on failure
  function drawCharts() {
    var views = Array.prototype.slice.call(document.querySelectorAll('.chart-view'));
    return Promise.all(views.map(function (holder) {
      var spec = data.charts[Number(holder.getAttribute('data-chart'))];
      var target = el('div', { className: 'vega-target' });
      try {
        var compiled = vegaLite.compile(spec).spec;
        var view = new vega.View(vega.parse(compiled), { renderer: 'svg', container: target, hover: true });
        holder.appendChild(target);
        return view.runAsync().then(function () {
          var fallback = holder.querySelector('img.fallback');
          if (fallback) fallback.remove();
          holder.classList.add('drawn');
        }, function (e) { fail(holder, target, e); });
      } catch (e) {
        fail(holder, target, e);
        return Promise.resolve();
      }
    }));
  }
  function fail(holder, target, e) {
    target.remove();
    holder.classList.add('failed');
    console.error('chart ' + holder.getAttribute('data-name') + ' could not be drawn (showing its PNG): ' + (e && e.message ? e.message : e));
  }

  // --- sample drill-down
  var samples = data.samples;
  var filters = { model: '', dataset: '', eval: '', extractor: data.extractors[0] || '', correct: '' };
  var tbody = document.querySelector('#samples-table tbody');
  var count = document.getElementById('samples-count');
  var detail = document.getElementById('sample-detail');

  function option(value, label) { return el('option', { value: value, text: label }); }
  function fillSelect(id, values, allLabel) {
    var select = document.getElementById(id);
    if (allLabel !== null) select.appendChild(option('', allLabel));
    values.forEach(function (v) { select.appendChild(option(v, v)); });
    return select;
  }
  fillSelect('filter-model', data.models, 'all models');
  fillSelect('filter-dataset', data.datasets, 'all datasets');
  fillSelect('filter-eval', data.evalTypes, 'all evaluations');
  fillSelect('filter-extractor', data.extractors, null);
  ['model', 'dataset', 'eval', 'extractor', 'correct'].forEach(function (key) {
    var select = document.getElementById('filter-' + key);
    select.value = filters[key];
    select.addEventListener('change', function () {
      filters[key] = select.value;
      if (key === 'extractor') document.getElementById('answer-extractor').textContent = select.value;
      renderTable();
    });
  });

  function correctOf(s) {
    var v = s.correct_by[filters.extractor];
    return v === undefined ? null : v;
  }
  function mark(v) { return v === null ? '–' : v ? '✓ correct' : '✗ wrong'; }

  function renderTable() {
    tbody.textContent = '';
    var shown = 0;
    samples.forEach(function (s, i) {
      if (filters.model && s.model !== filters.model) return;
      if (filters.dataset && s.dataset !== filters.dataset) return;
      if (filters.eval && s.eval_type !== filters.eval) return;
      var c = correctOf(s);
      if (filters.correct === 'correct' && c !== true) return;
      if (filters.correct === 'wrong' && c !== false) return;
      shown++;
      var answer = s.answers[filters.extractor];
      var row = el('tr', { tabindex: '0', 'data-sample': String(i) }, [
        el('td', { text: s.model }), el('td', { text: s.eval_type }), el('td', { text: s.dataset }), el('td', { text: s.id }),
        el('td', { text: s.gold }), el('td', { text: answer === null || answer === undefined ? '–' : answer }),
      ].concat(data.extractors.map(function (x) {
        var v = s.correct_by[x];
        return el('td', { className: v === undefined ? '' : v ? 'ok' : 'bad', text: mark(v === undefined ? null : v) });
      })).concat([
        el('td', { text: s.stop_reason }), el('td', { text: String(s.new_tokens) }), el('td', { text: String(s.maps.length) }),
      ]));
      row.addEventListener('click', function () { select(i, row); });
      row.addEventListener('keydown', function (e) { if (e.key === 'Enter') select(i, row); });
      tbody.appendChild(row);
    });
    count.textContent = 'showing ' + shown + ' of ' + samples.length + ' samples';
  }

  function promptWithNoise(s) {
    var pre = el('pre', { className: 'prompt' });
    var at = 0;
    (s.noise || []).forEach(function (span) {
      if (span.start > at) pre.appendChild(document.createTextNode(s.prompt.slice(at, span.start)));
      pre.appendChild(el('mark', { className: 'noise', title: 'noise', text: s.prompt.slice(span.start, span.end) }));
      at = span.end;
    });
    pre.appendChild(document.createTextNode(s.prompt.slice(at)));
    return pre;
  }

  function select(i, row) {
    var s = samples[i];
    Array.prototype.forEach.call(tbody.querySelectorAll('tr.selected'), function (r) { r.classList.remove('selected'); });
    row.classList.add('selected');
    detail.textContent = '';
    var answers = el('table', { className: 'answers' }, [
      el('thead', null, [el('tr', null, [el('th', { text: 'extractor' }), el('th', { text: 'answer' }), el('th', { text: 'correct' })])]),
      el('tbody', null, Object.keys(s.answers).map(function (x) {
        var v = s.correct_by[x];
        return el('tr', null, [el('td', { text: x }), el('td', { text: s.answers[x] === null ? '(none)' : s.answers[x] }),
          el('td', { className: v ? 'ok' : 'bad', text: mark(v) })]);
      })),
    ]);
    var noiseNote = s.noise === null ? 'noise spans unknown (see Notes)' :
      s.noise.length ? s.noise.length + ' noise span(s) highlighted' : 'no noise in this prompt';
    detail.appendChild(el('h3', { text: s.model + ' · ' + s.eval_type + ' · ' + s.dataset + ' · ' + s.id }));
    detail.appendChild(el('p', { className: 'facts', text: 'gold ' + s.gold + ' · stop: ' + s.stop_reason + ' · ' +
      s.prompt_tokens + ' prompt tokens, ' + s.new_tokens + ' new tokens' }));
    // The log's ms is the wall time since the set's previous sample finished: with batched
    // generation that is not this sample's own time (a 512-token sample can show 10 ms).
    detail.appendChild(el('p', { className: 'timing', text: 'logged ' + Math.round(s.ms) +
      ' ms after the previous sample of this set finished (generation is batched: not this sample’s own generation time)' }));
    detail.appendChild(answers);
    detail.appendChild(el('h4', { text: 'Prompt (' + noiseNote + ')' }));
    detail.appendChild(promptWithNoise(s));
    detail.appendChild(el('h4', { text: 'Completion' }));
    detail.appendChild(el('pre', { className: 'completion', text: s.completion }));
    if (s.maps.length) {
      detail.appendChild(el('h4', { text: 'Attention maps' }));
      s.maps.forEach(function (k) {
        var m = data.maps[k];
        detail.appendChild(el('figure', { className: 'map' }, [
          el('img', { src: m.src, alt: 'attention map ' + m.caption }),
          el('figcaption', { text: m.caption }),
        ]));
      });
    }
    detail.hidden = false;
  }

  renderTable();
  drawCharts().then(function () { document.body.setAttribute('data-charts', 'done'); });
})();
`;
