/* dossier report: progressive enhancement only. Without this script the page shows
   every row and hides the filter controls; with it, the traceability matrix can be
   filtered by status, framework and text. Nothing is fetched, nothing is evaluated. */
(function () {
  'use strict';

  var doc = document;
  doc.documentElement.classList.add('js');

  var matrix = doc.getElementById('matrix');
  var controls = doc.getElementById('matrix-controls');
  if (!matrix || !controls) {
    return;
  }

  var boxes = Array.prototype.slice.call(controls.querySelectorAll('input[name="status"]'));
  var select = doc.getElementById('matrix-framework');
  var search = doc.getElementById('matrix-search');
  var count = doc.getElementById('matrix-count');
  var none = doc.getElementById('matrix-none');
  var reset = doc.getElementById('matrix-reset');
  var gaps = doc.getElementById('matrix-gaps');
  var GAPS = { partial: true, missing: true, stale: true, failed: true };

  // One pass over the rows builds the index the filter reads: no layout is read here
  // (textContent, unlike innerText, needs none).
  var rows = [];
  var perStatus = {};
  var perFramework = {};
  var trs = matrix.querySelectorAll('tbody tr[data-status]');
  for (var i = 0; i < trs.length; i++) {
    var tr = trs[i];
    var status = tr.getAttribute('data-status');
    var fw = tr.getAttribute('data-fw');
    rows.push({
      el: tr,
      status: status,
      fw: fw,
      text: normalise(tr.id + ' ' + tr.textContent),
      shown: !tr.hidden
    });
    perStatus[status] = (perStatus[status] || 0) + 1;
    perFramework[fw] = (perFramework[fw] || 0) + 1;
  }
  var total = rows.length;

  var blocks = Array.prototype.slice.call(matrix.querySelectorAll('.fw-block')).map(function (el) {
    return { el: el, fw: el.getAttribute('data-fw') };
  });

  var counters = controls.querySelectorAll('[data-count-for]');
  for (var c = 0; c < counters.length; c++) {
    var n = perStatus[counters[c].getAttribute('data-count-for')] || 0;
    counters[c].textContent = String(n);
    if (n === 0 && counters[c].parentNode) {
      counters[c].parentNode.classList.add('is-zero');
    }
  }

  function normalise(text) {
    return text.toLowerCase().replace(/\s+/g, ' ').trim();
  }

  function apply() {
    var allowed = {};
    var every = true;
    boxes.forEach(function (box) {
      if (box.checked) {
        allowed[box.value] = true;
      } else {
        every = false;
      }
    });
    var framework = select ? select.value : '';
    var query = search ? normalise(search.value) : '';
    var shown = 0;
    var shownIn = {};
    // Single pass: decide, then write only the rows whose visibility changes.
    for (var k = 0; k < rows.length; k++) {
      var row = rows[k];
      var visible = allowed[row.status] === true &&
        (framework === '' || row.fw === framework) &&
        (query === '' || row.text.indexOf(query) !== -1);
      if (visible !== row.shown) {
        row.el.hidden = !visible;
        row.shown = visible;
      }
      if (visible) {
        shown += 1;
        shownIn[row.fw] = (shownIn[row.fw] || 0) + 1;
      }
    }
    var unfiltered = every && query === '';
    blocks.forEach(function (block) {
      var visible = shownIn[block.fw] > 0 ||
        (unfiltered && !perFramework[block.fw] && (framework === '' || framework === block.fw));
      if (block.el.hidden === visible) {
        block.el.hidden = !visible;
      }
    });
    if (none) {
      none.hidden = shown !== 0;
    }
    count.textContent = shown + ' of ' + total + ' requirement' + (total === 1 ? '' : 's') + ' shown';
  }

  function resetAll() {
    boxes.forEach(function (box) { box.checked = true; });
    if (select) { select.value = ''; }
    if (search) { search.value = ''; }
    apply();
  }

  boxes.forEach(function (box) { box.addEventListener('change', apply); });
  if (select) { select.addEventListener('change', apply); }
  if (search) {
    search.addEventListener('input', apply);
    search.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') {
        search.value = '';
        apply();
      }
    });
  }
  if (reset) { reset.addEventListener('click', resetAll); }
  if (gaps) {
    gaps.addEventListener('click', function () {
      boxes.forEach(function (box) { box.checked = GAPS[box.value] === true; });
      apply();
    });
  }

  // A link to a matrix row (from the Annex IV index, findings or waivers) clears the
  // filters first when they hide that row, so the link always lands somewhere.
  function reveal(hash) {
    if (!hash || hash.charAt(0) !== '#') {
      return;
    }
    var id = hash.slice(1);
    try {
      id = decodeURIComponent(id);
    } catch (ignored) {
      // Keep the id as written.
    }
    var target = doc.getElementById(id);
    if (!target || !matrix.contains(target)) {
      return;
    }
    var block = target.closest('.fw-block');
    if (target.hidden || (block && block.hidden)) {
      resetAll();
    }
  }

  doc.addEventListener('click', function (event) {
    var link = event.target && event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (link) {
      reveal(link.getAttribute('href'));
    }
  });
  window.addEventListener('hashchange', function () { reveal(window.location.hash); });

  // Form state a browser restores on reload must match the rows shown.
  apply();
}());
