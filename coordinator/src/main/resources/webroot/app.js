// Nightshift dashboard: plain ES modules, no build step, no dependencies.
//
// Layout: a header with one link per view (VIEWS below) and one <main> the current view renders
// into. The route is the URL's hash (#/jobs, #/jobs/ID, #/queues, #/agents, #/pools, #/pools/NAME,
// #/cluster, #/login), so every view can be shared as a link and back/forward work. A later view (DAGs)
// is one more entry in VIEWS with a render(main, params, query) that returns {onEvent, dispose}.

import * as api from './api.js';
import {
  $, el, svg, clear, badge, bar, plural, fmtTime, fmtDuration, fmtShortDuration, between, ago, fmtMem, fmtCpus, pct,
  resources, enc, JOB_STATES, TASK_STATES, AGENT_STATES, TERMINAL,
} from './dom.js';

const PAGE_SIZE = 25;
const SEARCH_SCAN = 2000;        // a search looks through at most this many of the newest jobs
const REFRESH_DEBOUNCE_MS = 300;
const LOG_TAIL_LINES = 1000;
const STDERR_EXCERPT_LINES = 20;
const MAX_LOG_CHARS = 2_000_000;
const POLL_MS = 5000;

// ---------------------------------------------------------------- router

const VIEWS = [
  { name: 'jobs', title: 'Jobs', nav: true, pattern: /^\/jobs$/, render: jobsView },
  { name: 'job', title: 'Job', pattern: /^\/jobs\/([^/]+)$/, render: jobView, navAs: 'jobs' },
  { name: 'queues', title: 'Queues', nav: true, pattern: /^\/queues$/, render: queuesView },
  { name: 'agents', title: 'Agents', nav: true, pattern: /^\/agents$/, render: agentsView },
  { name: 'pools', title: 'Pools', nav: true, pattern: /^\/pools$/, render: poolsView },
  { name: 'pool', title: 'Pool', pattern: /^\/pools\/([^/]+)$/, render: poolView, navAs: 'pools' },
  { name: 'cluster', title: 'Cluster', nav: true, pattern: /^\/cluster$/, render: clusterView },
  { name: 'login', title: 'Sign in', pattern: /^\/login$/, render: loginView },
];

let current = null; // {view, controller}

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/jobs';
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  return { path, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

/** Goes to a route: a new history entry (back returns here). */
export function go(path) {
  location.hash = `#${path}`;
}

/** Rewrites the current route's query without a new history entry (filters, paging). */
function replaceQuery(query) {
  const { path } = parseHash();
  const qs = query.toString();
  history.replaceState(null, '', `#${path}${qs ? `?${qs}` : ''}`);
}

function route() {
  const { path, query } = parseHash();
  let view = null;
  let params = [];
  for (const v of VIEWS) {
    const m = v.pattern.exec(path);
    if (m) {
      view = v;
      params = m.slice(1).map(decodeURIComponent);
      break;
    }
  }
  if (current?.controller?.dispose) current.controller.dispose();
  showBanner(null);
  const main = clear($('view'));
  if (!view) {
    current = null;
    main.append(el('section', { class: 'card' }, el('h1', {}, 'Not found'),
      el('p', {}, 'This address does not name a view. '), el('a', { href: '#/jobs' }, 'Go to the jobs.')));
    return;
  }
  document.title = `${view.title} · Nightshift`;
  $('signout').hidden = !api.token();
  for (const a of document.querySelectorAll('#nav a')) {
    if (a.dataset.view === (view.navAs || view.name)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  current = { view, controller: view.render(main, params, query) || {} };
}

function renderNav() {
  const ul = $('nav');
  for (const v of VIEWS.filter((x) => x.nav)) {
    ul.append(el('li', {}, el('a', { href: `#/${v.name}`, 'data-view': v.name }, v.title)));
  }
}

// ---------------------------------------------------------------- shared bits

function showBanner(text) {
  const b = $('banner');
  b.hidden = !text;
  b.textContent = text || '';
}

let toastTimer;
function toast(text, kind = 'info') {
  const t = $('toast');
  t.textContent = text;
  t.className = `toast${kind === 'error' ? ' toast-error' : ''}`;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 5000);
}

function cardHead(title, ...controls) {
  return el('div', { class: 'card-head' }, el('h1', {}, title), el('div', { class: 'controls' }, ...controls));
}

/** Runs fn at most once per `ms`, trailing (bursts of events become one reload). */
function debounced(fn, ms = REFRESH_DEBOUNCE_MS) {
  let t = null;
  const run = () => { t = null; fn(); };
  const call = () => { if (!t) t = setTimeout(run, ms); };
  call.cancel = () => { clearTimeout(t); t = null; };
  return call;
}

function errorText(e, what) {
  if (e.status === 0) return `Cannot load ${what}: the coordinator is unreachable.`;
  return `Cannot load ${what}: ${e.text}`;
}

function table(headers, rows, { caption, empty, cls = '' } = {}) {
  const t = el('table', { class: `grid ${cls}` },
    caption ? el('caption', { class: 'sr-only' }, caption) : null,
    el('thead', {}, el('tr', {}, headers.map((h) => (typeof h === 'string'
      ? el('th', { scope: 'col' }, h) : el('th', { scope: 'col', class: h.cls }, h.text))))),
    el('tbody', {}, rows));
  return el('div', { class: 'table-wrap' }, t, rows.length ? null : el('p', { class: 'empty' }, empty || 'Nothing to show.'));
}

// ---------------------------------------------------------------- jobs

function jobsView(main, _params, query) {
  const f = {
    state: query.get('state') || '',
    queue: query.get('queue') || '',
    label: query.get('label') || '',
    q: query.get('q') || '',
  };
  // Cursors of the pages before the current one; the current page's cursor is f.after.
  let cursors = query.get('after') ? [''] : [];
  let after = query.get('after') || null;
  let next = null;
  let loading = false;

  const stateSel = el('select', { id: 'state-filter', 'aria-label': 'State' },
    el('option', { value: '' }, 'any state'), [...JOB_STATES].map((s) => el('option', { value: s }, s)));
  stateSel.value = f.state;
  const queueIn = el('input', { id: 'queue-filter', type: 'search', size: 10, placeholder: 'any queue', spellcheck: 'false', 'aria-label': 'Queue', value: f.queue });
  const labelIn = el('input', { id: 'label-filter', type: 'search', size: 14, placeholder: 'key=value', spellcheck: 'false', 'aria-label': 'Label', value: f.label });
  const searchIn = el('input', { id: 'job-search', type: 'search', size: 18, placeholder: 'id or name', spellcheck: 'false', 'aria-label': 'Search by id or name', value: f.q });
  const body = el('div', { id: 'jobs-body' });
  const count = el('p', { id: 'jobs-count', class: 'muted', 'aria-live': 'polite' });
  const prev = el('button', { type: 'button', id: 'prev-page' }, 'Newer');
  const more = el('button', { type: 'button', id: 'next-page' }, 'Older');

  main.append(el('section', { class: 'card', 'aria-labelledby': 'jobs-title' },
    el('div', { class: 'card-head' }, el('h1', { id: 'jobs-title' }, 'Jobs'),
      el('form', { class: 'controls', role: 'search', onsubmit: (ev) => ev.preventDefault() },
        el('label', {}, 'Search ', searchIn), el('label', {}, 'State ', stateSel),
        el('label', {}, 'Queue ', queueIn), el('label', {}, 'Label ', labelIn))),
    body,
    el('div', { class: 'card-foot' }, count, el('div', { class: 'controls' }, prev, more))));

  function writeQuery() {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, v);
    if (after) q.set('after', after);
    replaceQuery(q);
  }

  function listUrl(cursor, limit) {
    const p = new URLSearchParams({ limit: String(limit) });
    if (f.state) p.set('state', f.state);
    if (f.queue) p.set('queue', f.queue);
    if (f.label) p.append('label', f.label);
    if (cursor) p.set('after', cursor);
    return `/v1/jobs?${p}`;
  }

  async function load() {
    if (loading) { reload(); return; }
    loading = true;
    try {
      let jobs;
      if (f.q) {
        // The API filters by state, queue and label; the text search runs here over the newest jobs.
        const needle = f.q.toLowerCase();
        jobs = [];
        let cursor = null;
        let scanned = 0;
        do {
          const page = await api.json(listUrl(cursor, 500));
          scanned += page.jobs.length;
          jobs.push(...page.jobs.filter((j) => j.id.toLowerCase().includes(needle)
            || (j.spec?.name || '').toLowerCase().includes(needle)));
          cursor = page.next;
        } while (cursor && scanned < SEARCH_SCAN && jobs.length < PAGE_SIZE * 4);
        next = null;
        render(jobs, cursor ? `Showing ${plural(jobs.length, 'job')} matching "${f.q}" among the newest ${scanned}.`
          : `Showing ${plural(jobs.length, 'job')} matching "${f.q}".`);
      } else {
        const page = await api.json(listUrl(after, PAGE_SIZE));
        jobs = page.jobs;
        next = page.next || null;
        const first = cursors.length * PAGE_SIZE + 1;
        render(jobs, jobs.length ? `Showing jobs ${first} to ${first + jobs.length - 1}${next ? ', newest first; older ones on the next page' : ''}.`
          : '');
      }
      showBanner(null);
    } catch (e) {
      if (e.status === 400) showBanner(`The filter was refused: ${e.text}`);
      else if (e.status !== 401) showBanner(errorText(e, 'the jobs'));
    } finally {
      loading = false;
    }
  }
  const reload = debounced(load);
  const slowReload = debounced(load, 2000); // a search reads up to SEARCH_SCAN jobs: not after every event

  function render(jobs, summary) {
    const rows = jobs.map((job) => {
      const spec = job.spec || {};
      const open = () => go(`/jobs/${enc(job.id)}`);
      return el('tr', { 'data-job': job.id },
        el('td', { class: 'mono' }, el('a', { href: `#/jobs/${enc(job.id)}` }, job.id)),
        el('td', { class: 'job-name' }, spec.name ?? '', labelChips(spec.labels)),
        el('td', {}, badge(job.state, JOB_STATES), job.killRequested && !TERMINAL.has(job.state) ? el('span', { class: 'muted small' }, ' being killed') : null),
        el('td', {}, spec.queue ?? ''),
        el('td', { class: 'nowrap', title: job.submittedAt || '' }, fmtTime(job.submittedAt)),
        el('td', { class: 'num' }, fmtShortDuration(between(job.submittedAt, job.finishedAt))),
      );
    });
    clear(body).append(table(['Id', 'Name', 'State', 'Queue', 'Submitted', { text: 'Duration', cls: 'num' }], rows,
      { caption: 'Jobs, newest first', empty: f.q || f.state || f.queue || f.label ? 'No job matches these filters.' : 'No job has been submitted yet.' }));
    count.textContent = summary;
    prev.hidden = f.q || cursors.length === 0;
    more.hidden = !next;
  }

  const refilter = () => {
    f.state = stateSel.value;
    f.queue = queueIn.value.trim();
    f.label = labelIn.value.trim();
    f.q = searchIn.value.trim();
    after = null;
    cursors = [];
    writeQuery();
    load();
  };
  const typed = debounced(refilter, 400);
  stateSel.addEventListener('change', refilter);
  for (const i of [queueIn, labelIn, searchIn]) i.addEventListener('input', typed);
  more.addEventListener('click', () => { cursors.push(after || ''); after = next; writeQuery(); load(); });
  prev.addEventListener('click', () => { after = cursors.pop() || null; writeQuery(); load(); });

  load();
  const tick = setInterval(() => { if (!document.hidden) reload(); }, 30_000);
  return {
    onEvent(kind) { if (kind === 'job' || kind === 'run' || kind === 'task') (f.q ? slowReload : reload)(); },
    dispose() { reload.cancel(); slowReload.cancel(); typed.cancel(); clearInterval(tick); },
  };
}

function labelChips(labels) {
  const entries = Object.entries(labels || {});
  if (!entries.length) return null;
  return el('div', { class: 'chips' }, entries.map(([k, v]) => el('span', { class: 'chip' }, `${k}=${v}`)));
}

// ---------------------------------------------------------------- one job

function jobView(main, [id]) {
  let detail = null;
  let log = null;            // {abort, key}
  const excerpts = new Map(); // attempt id -> stderr excerpt (string) once loaded
  let confirming = false;

  const title = el('h1', { id: 'job-title' }, `Job ${id}`);
  const killBtn = el('button', { type: 'button', id: 'kill', class: 'danger', hidden: true }, 'Kill');
  const confirmBox = el('div', { id: 'kill-confirm', class: 'confirm', role: 'alertdialog', 'aria-labelledby': 'kill-question', hidden: true });
  const body = el('div', { id: 'job-body' }, el('p', { class: 'muted' }, 'Loading…'));
  const taskSel = el('select', { id: 'log-task', 'aria-label': 'Task' });
  const streamSel = el('select', { id: 'log-stream', 'aria-label': 'Stream' },
    el('option', { value: 'stdout' }, 'stdout'), el('option', { value: 'stderr' }, 'stderr'));
  const follow = el('input', { id: 'log-follow', type: 'checkbox', checked: true });
  const logStatus = el('span', { id: 'log-status', class: 'muted', 'aria-live': 'polite' });
  const pre = el('pre', { id: 'log', class: 'log', tabindex: '0', 'aria-label': 'Log' });

  main.append(el('section', { class: 'card', 'aria-labelledby': 'job-title' },
    el('div', { class: 'card-head' },
      el('div', {}, el('a', { href: '#/jobs', class: 'small' }, '← All jobs'), title),
      el('div', { class: 'controls' }, killBtn)),
    confirmBox,
    body,
    el('section', { class: 'logs', 'aria-labelledby': 'logs-title' },
      el('div', { class: 'logs-head' }, el('h2', { id: 'logs-title' }, 'Logs'),
        el('label', {}, 'Task ', taskSel), el('label', {}, 'Stream ', streamSel),
        el('label', { class: 'toggle' }, follow, ' follow while it runs'), logStatus),
      pre)));

  killBtn.addEventListener('click', () => {
    confirming = true;
    clear(confirmBox).append(
      el('p', { id: 'kill-question' }, `Kill job ${id}? Its running tasks get SIGTERM, then SIGKILL after their grace period.`),
      el('button', { type: 'button', id: 'kill-yes', class: 'danger', onclick: kill }, 'Kill the job'), ' ',
      el('button', { type: 'button', id: 'kill-no', onclick: () => { confirming = false; confirmBox.hidden = true; } }, 'Cancel'));
    confirmBox.hidden = false;
    $('kill-no').focus();
  });

  async function kill() {
    confirmBox.hidden = true;
    confirming = false;
    try {
      await api.json(`/v1/jobs/${enc(id)}`, { method: 'DELETE' });
      toast(`Kill requested for job ${id}.`);
      reload();
    } catch (e) {
      if (e.status !== 401) toast(`Cannot kill job ${id}: ${e.text}`, 'error');
    }
  }

  async function load() {
    try {
      detail = await api.json(`/v1/jobs/${enc(id)}`);
      render(detail);
    } catch (e) {
      if (e.status === 401) return;
      clear(body).append(el('p', { class: 'error' }, e.status === 404 ? `There is no job ${id}.` : errorText(e, `job ${id}`)));
      killBtn.hidden = true;
    }
  }
  const reload = debounced(load);

  function render(d) {
    const job = d.job;
    const spec = job.spec || {};
    title.textContent = spec.name ? `${spec.name}` : `Job ${job.id}`;
    killBtn.hidden = TERMINAL.has(job.state) || job.killRequested || confirming;
    const out = [];

    const facts = el('dl', { class: 'facts' });
    const fact = (k, ...v) => facts.append(el('dt', {}, k), el('dd', {}, ...v));
    fact('Id', el('span', { class: 'mono' }, job.id));
    fact('Name', el('span', { id: 'job-name' }, spec.name ?? ''));
    fact('State', el('span', { id: 'job-state' }, badge(job.state, JOB_STATES)), ' ', jobStateSentence(job));
    fact('Queue', spec.queue ?? '');
    fact('Type', spec.type ?? '');
    if (spec.command?.shell) fact('Command', el('code', { class: 'wrap' }, spec.command.shell));
    if (spec.command?.argv) fact('Command', el('code', { class: 'wrap' }, spec.command.argv.join(' ')));
    if (spec.jvm) fact('Main class', el('code', {}, spec.jvm.mainClass));
    fact('Resources', `${resources(spec.resources)}${spec.instances > 1 ? ` per instance, ${spec.instances} instances` : ''}`);
    if (spec.retries?.max > 0) fact('Retries', `A failed attempt is retried up to ${plural(spec.retries.max, 'time')}, after a growing back-off.`);
    fact('Submitted', fmtTime(job.submittedAt));
    if (job.finishedAt) fact('Finished', `${fmtTime(job.finishedAt)}, after ${fmtDuration(between(job.submittedAt, job.finishedAt))}`);
    if (spec.labels && Object.keys(spec.labels).length) fact('Labels', labelChips(spec.labels));
    out.push(facts);

    if (d.pending && !TERMINAL.has(job.state)) out.push(pendingBox(d.pending));
    const failure = lastFailure(d);
    if (failure) out.push(failureBox(failure));

    for (const rd of (d.runs || []).slice().reverse()) out.push(runBlock(rd));
    if (!(d.runs || []).length) out.push(el('p', { class: 'muted' }, 'This job has no run yet.'));
    clear(body).append(...out);
    renderLogChoices(d);
  }

  function pendingBox(p) {
    const n = (p.tasks || []).length;
    const reasons = p.reasons || [];
    const eta = p.eta ? Date.parse(p.eta) : null;
    return el('section', { id: 'pending', class: 'pending', 'aria-labelledby': 'pending-title' },
      el('h2', { id: 'pending-title' }, n === 1 ? 'Why 1 task is waiting' : `Why ${n} tasks are waiting`),
      reasons.length ? el('ul', {}, reasons.map((r) => el('li', { class: 'pending-reason' }, r.message || r.code)))
        : el('p', {}, 'The scheduler has not looked at it yet; it does within a second or two.'),
      eta ? el('p', { id: 'pending-eta' }, eta > Date.now()
        ? `It is expected to start in about ${fmtDuration(eta - Date.now())} (at ${fmtTime(p.eta)}), judging by how fast its queue's tasks finish.`
        : `It was expected to start at ${fmtTime(p.eta)}.`) : null);
  }

  function failureBox({ task, attempt }) {
    const key = attempt.id;
    const sentence = attempt.exitCode !== undefined && attempt.exitCode !== null
      ? `Attempt ${attempt.number} of task ${task.id} failed with exit code ${attempt.exitCode}${attempt.finishedAt ? ` at ${fmtTime(attempt.finishedAt)}` : ''}.`
      : `Attempt ${attempt.number} of task ${task.id} ended ${attempt.state}${attempt.reason ? ` (${reasonText(attempt.reason)})` : ''}.`;
    const excerpt = el('pre', { id: 'stderr-excerpt', class: 'log short', 'aria-label': `Last lines of stderr of attempt ${attempt.number}` });
    if (excerpts.has(key)) excerpt.textContent = excerpts.get(key) || '(stderr is empty)';
    else {
      excerpt.textContent = 'Loading the end of stderr…';
      loadExcerpt(task.id, attempt).then(() => { if (excerpts.has(key)) excerpt.textContent = excerpts.get(key) || '(stderr is empty)'; });
    }
    return el('section', { id: 'failure', class: 'failure', 'aria-labelledby': 'failure-title' },
      el('h2', { id: 'failure-title' }, 'Last failure'),
      el('p', { id: 'failure-text' }, sentence, attempt.message && attempt.reason !== 'EXIT_CODE' ? ` ${attempt.message}` : ''),
      el('p', { class: 'small muted' }, `The last ${STDERR_EXCERPT_LINES} lines of its stderr:`),
      excerpt);
  }

  async function loadExcerpt(taskId, attempt) {
    let text = '';
    try {
      await api.readText(`/v1/tasks/${enc(taskId)}/logs/stderr?tail=${STDERR_EXCERPT_LINES}&attempt=${attempt.number}`, undefined, (t) => { text += t; });
      excerpts.set(attempt.id, text);
    } catch (e) {
      excerpts.set(attempt.id, `(stderr cannot be read: ${e.text})`);
    }
  }

  function runBlock(rd) {
    const run = rd.run;
    const rows = [];
    for (const t of rd.tasks || []) {
      const attempts = t.attempts || [];
      if (!attempts.length || t.state === 'PENDING') {
        rows.push(el('tr', { class: 'task-row' },
          el('td', { class: 'mono' }, t.id), el('td', {}, ''), el('td', {}, badge(t.state, TASK_STATES)),
          el('td', {}, ''), el('td', { class: 'num' }, ''),
          el('td', { colspan: 3 }, t.notBefore ? `Waits to retry until ${fmtTime(t.notBefore)}.` : attempts.length ? 'Waits for another placement.' : 'Waits for a placement.')));
      }
      for (const a of attempts.slice().reverse()) {
        rows.push(el('tr', { 'data-attempt': a.id },
          el('td', { class: 'mono' }, t.id),
          el('td', { class: 'num' }, a.number),
          el('td', {}, badge(a.state, TASK_STATES)),
          el('td', { class: 'mono' }, a.agentId ?? ''),
          el('td', { class: `num exit${a.exitCode ? ' bad' : ''}` }, a.exitCode ?? ''),
          el('td', { class: 'nowrap' }, fmtTime(a.startedAt || a.launchedAt)),
          el('td', { class: 'nowrap' }, a.finishedAt ? fmtShortDuration(between(a.startedAt || a.launchedAt, a.finishedAt)) : a.startedAt ? `running ${fmtShortDuration(between(a.startedAt, null))}` : ''),
          el('td', { class: 'wrap' }, [a.reason && a.reason !== 'EXIT_CODE' ? reasonText(a.reason) : '', a.message || ''].filter(Boolean).join(': '))));
      }
    }
    return el('section', { class: 'run', 'aria-label': `Run ${run.number}` },
      el('h2', {}, `Run ${run.number} `, badge(run.state, JOB_STATES),
        el('span', { class: 'muted small' }, ` created ${fmtTime(run.createdAt)}${run.finishedAt ? `, finished ${fmtTime(run.finishedAt)}` : ''}`)),
      table(['Task', { text: 'Attempt', cls: 'num' }, 'State', 'Agent', { text: 'Exit code', cls: 'num' }, 'Started', 'Took', 'Note'], rows,
        { caption: `Tasks and attempts of run ${run.number}`, cls: 'compact' }));
  }

  // ---- logs

  function renderLogChoices(d) {
    const tasks = [];
    for (const rd of (d.runs || []).slice().reverse()) for (const t of rd.tasks || []) if ((t.attempts || []).length) tasks.push(t);
    const ids = tasks.map((t) => t.id);
    const same = ids.length === taskSel.options.length && ids.every((x, i) => taskSel.options[i].value === x);
    if (!same) {
      const previous = taskSel.value;
      clear(taskSel).append(...tasks.map((t) => el('option', { value: t.id }, t.id)));
      if (ids.includes(previous)) taskSel.value = previous;
    }
    if (!tasks.length) {
      stopLog();
      pre.textContent = '';
      logStatus.textContent = 'No attempt has started yet.';
      return;
    }
    const task = tasks.find((t) => t.id === taskSel.value) || tasks[0];
    const attempt = task.attempts[task.attempts.length - 1];
    const key = `${task.id}|${attempt.id}|${phase(attempt.state)}|${streamSel.value}|${follow.checked}`;
    if (!log || log.key !== key) startLog(task.id, attempt, key);
  }

  function phase(s) {
    if (s === 'RUNNING') return 'running';
    return ['PENDING', 'STAGING', 'FETCHING'].includes(s) ? 'starting' : 'ended';
  }

  function stopLog() {
    if (log) log.abort.abort();
    log = null;
  }

  async function startLog(taskId, attempt, key) {
    stopLog();
    const abort = new AbortController();
    log = { abort, key };
    const stream = streamSel.value;
    const following = follow.checked && phase(attempt.state) !== 'ended';
    pre.textContent = '';
    logStatus.textContent = following ? `Following ${stream} of attempt ${attempt.number}…` : `The last ${LOG_TAIL_LINES} lines of ${stream} of attempt ${attempt.number}.`;
    const mine = () => log !== null && log.abort === abort;
    try {
      await api.readText(`/v1/tasks/${enc(taskId)}/logs/${stream}?tail=${LOG_TAIL_LINES}${following ? '&follow=true' : ''}`,
        abort.signal, (text) => { if (mine()) appendLog(text); });
      if (mine() && following) logStatus.textContent = `${stream} of attempt ${attempt.number}; the attempt has ended.`;
    } catch (e) {
      if (e.name === 'AbortError' || !mine()) return;
      logStatus.textContent = e.status === 503 ? 'The agent holding this log cannot be reached right now.'
        : e.status === 409 ? 'The task has not started yet.'
          : e.status === 404 ? 'There is no log: the sandbox may have been cleaned up.'
            : `The log cannot be read: ${e.text}`;
    }
  }

  function appendLog(text) {
    if (!text) return;
    const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
    pre.append(document.createTextNode(text));
    if (pre.textContent.length > MAX_LOG_CHARS) pre.textContent = pre.textContent.slice(-MAX_LOG_CHARS);
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }

  const restartLog = () => { stopLog(); if (detail) renderLogChoices(detail); };
  taskSel.addEventListener('change', restartLog);
  streamSel.addEventListener('change', restartLog);
  follow.addEventListener('change', restartLog);

  load();
  const tick = setInterval(() => { if (!document.hidden && detail && !TERMINAL.has(detail.job.state)) reload(); }, POLL_MS);
  return {
    onEvent(kind, e) { if (kind !== 'agent' && (e.jobId === id || e.id === id)) reload(); },
    dispose() { reload.cancel(); clearInterval(tick); stopLog(); },
  };
}

function jobStateSentence(job) {
  if (job.killRequested && !TERMINAL.has(job.state)) return el('span', { class: 'muted' }, 'A kill was requested; its tasks are stopping.');
  if (job.reason) return el('span', { class: 'muted' }, reasonText(job.reason));
  return null;
}

const REASONS = {
  EXIT_CODE: 'the process exited',
  TIMEOUT: 'it ran past its maximum runtime and was killed',
  KILLED_BY_USER: 'a user killed it',
  AGENT_LOST: 'its agent stopped answering',
  LAUNCH_FAILED: 'the agent could not start it',
  AGENT_SHUTDOWN: 'its agent shut down',
  RECONCILED: 'the coordinator and the agent reconciled it',
  PREEMPTED: 'it was preempted for a queue under its fair share',
};

function reasonText(r) {
  return REASONS[r] || String(r).toLowerCase().replace(/_/g, ' ');
}

/** The newest attempt that failed (non-zero exit, or FAILED/LOST), when the job's newest run has one. */
function lastFailure(d) {
  let best = null;
  for (const rd of d.runs || []) {
    for (const t of rd.tasks || []) {
      for (const a of t.attempts || []) {
        const failed = (a.exitCode !== undefined && a.exitCode !== null && a.exitCode !== 0) || a.state === 'FAILED' || a.state === 'LOST';
        if (failed && (!best || Date.parse(a.finishedAt || 0) >= Date.parse(best.attempt.finishedAt || 0))) best = { task: t, attempt: a };
      }
    }
  }
  return best;
}

// ---------------------------------------------------------------- queues

function queuesView(main) {
  const body = el('div', { id: 'queues-body' }, el('p', { class: 'muted' }, 'Loading…'));
  main.append(el('section', { class: 'card', 'aria-labelledby': 'queues-title' },
    el('div', { class: 'card-head' }, el('h1', { id: 'queues-title' }, 'Queues')),
    el('p', { class: 'muted small' }, 'Each queue is a team\'s share of the cluster. The bar shows the dominant share it holds now; the mark shows its fair share under weighted DRF given every queue\'s demand.'),
    body));

  async function load() {
    try {
      const { queues = [] } = await api.json('/v1/queues');
      const rows = queues.map(({ spec, share }) => el('tr', { 'data-queue': spec.name },
        el('td', { class: 'mono' }, spec.name),
        el('td', { class: 'num' }, fmtCpus(spec.weight)),
        el('td', {}, spec.guarantee && (spec.guarantee.cpus || spec.guarantee.memMb) ? resources(spec.guarantee) : 'none'),
        el('td', {}, limitText(spec.limit, spec.maxRunning)),
        el('td', { class: 'num' }, share ? share.running : ''),
        el('td', { class: 'num' }, share ? share.pending : ''),
        el('td', {}, share ? bar(share.share, `${pct(share.share)} now, fair share ${pct(share.fairShare)}`, share.fairShare, `fair share ${pct(share.fairShare)}`)
          : el('span', { class: 'muted' }, 'No cycle has run yet.'))));
      clear(body).append(table(['Queue', { text: 'Weight', cls: 'num' }, 'Guarantee', 'Limit', { text: 'Running', cls: 'num' },
        { text: 'Pending', cls: 'num' }, 'Share of the cluster'], rows, { caption: 'Queues', empty: 'There is no queue.' }));
    } catch (e) {
      if (e.status !== 401) clear(body).append(el('p', { class: 'error' }, errorText(e, 'the queues')));
    }
  }
  const reload = debounced(load, 1000);
  load();
  const tick = setInterval(() => { if (!document.hidden) reload(); }, POLL_MS);
  return { onEvent(kind) { if (kind === 'task' || kind === 'agent') reload(); }, dispose() { reload.cancel(); clearInterval(tick); } };
}

function limitText(l, maxRunning) {
  const parts = [];
  if (l) {
    if (l.cpus < 1e9) parts.push(`${fmtCpus(l.cpus)} CPUs`);
    if (l.memMb < 1e12) parts.push(fmtMem(l.memMb));
    if (l.gpus < 1e6 && l.gpus) parts.push(plural(l.gpus, 'GPU'));
  }
  if (maxRunning) parts.push(`${maxRunning} running tasks`);
  return parts.length ? `at most ${parts.join(', ')}` : 'none';
}

// ---------------------------------------------------------------- agents

function agentsView(main) {
  const body = el('div', { id: 'agents-body' }, el('p', { class: 'muted' }, 'Loading…'));
  const offers = el('div', { id: 'offers-body' });
  const summary = el('p', { id: 'agents-summary', class: 'muted' });
  main.append(
    el('section', { class: 'card', 'aria-labelledby': 'agents-title' },
      el('div', { class: 'card-head' }, el('h1', { id: 'agents-title' }, 'Agents')), summary, body),
    el('section', { class: 'card', 'aria-labelledby': 'offers-title' },
      el('div', { class: 'card-head' }, el('h2', { id: 'offers-title' }, 'Outstanding offers')),
      el('p', { class: 'muted small' }, 'Slices of agents\' free resources offered to a queue and not yet used, declined or expired.'),
      offers));

  async function load() {
    try {
      const [{ agents = [] }, { offers: os = [] }] = await Promise.all([api.json('/v1/agents'), api.json('/v1/offers')]);
      const rows = agents.map((a) => {
        const total = a.total || {};
        const used = a.allocated || {};
        const free = { cpus: Math.max(0, (total.cpus || 0) - (used.cpus || 0)), memMb: Math.max(0, (total.memMb || 0) - (used.memMb || 0)) };
        return el('tr', { 'data-agent': a.id },
          el('td', { class: 'mono' }, a.id),
          el('td', { title: a.httpUrl || '' }, a.host ?? ''),
          el('td', {}, a.attributes?.pool ?? el('span', { class: 'muted' }, 'none')),
          el('td', {}, badge(a.status, AGENT_STATES)),
          el('td', {}, bar(total.cpus ? (used.cpus || 0) / total.cpus : 0, `${fmtCpus(used.cpus)} of ${fmtCpus(total.cpus)} used, ${fmtCpus(free.cpus)} free`)),
          el('td', {}, bar(total.memMb ? (used.memMb || 0) / total.memMb : 0, `${fmtMem(used.memMb)} of ${fmtMem(total.memMb)} used, ${fmtMem(free.memMb)} free`)),
          el('td', { class: 'small' }, a.isolation ?? ''),
          el('td', { title: a.lastHeartbeat || '' }, ago(a.lastHeartbeat)));
      });
      const active = agents.filter((a) => a.status === 'ACTIVE').length;
      summary.textContent = agents.length ? `${active} of ${plural(agents.length, 'agent')} ${active === 1 ? 'is' : 'are'} active.` : '';
      clear(body).append(table(['Agent', 'Host', 'Pool', 'Status', 'CPUs', 'Memory', 'Isolation', 'Last heartbeat'], rows,
        { caption: 'Agents', empty: 'No agent has registered yet.' }));
      clear(offers).append(table(['Offer', 'Agent', 'Queue', 'Resources', 'Expires'], os.map((o) => el('tr', {},
        el('td', { class: 'mono' }, o.id), el('td', { class: 'mono' }, o.agentId ?? ''), el('td', {}, o.queue ?? 'any'),
        el('td', {}, resources(o.resources)), el('td', {}, expiresIn(o.expiresAt)))), { caption: 'Outstanding offers', empty: 'No offer is outstanding.' }));
    } catch (e) {
      if (e.status !== 401) clear(body).append(el('p', { class: 'error' }, errorText(e, 'the agents')));
    }
  }
  const reload = debounced(load, 500);
  load();
  const tick = setInterval(() => { if (!document.hidden) reload(); }, POLL_MS);
  return { onEvent(kind) { if (kind === 'agent' || kind === 'task') reload(); }, dispose() { reload.cancel(); clearInterval(tick); } };
}

function expiresIn(iso) {
  if (!iso) return '';
  const ms = Date.parse(iso) - Date.now();
  return ms <= 0 ? 'expired' : `in ${fmtDuration(ms)}`;
}

// ---------------------------------------------------------------- pools

/** "open until 06:00 Europe/Amsterdam (in 3 hours)" / "opens Tue 22:00 Europe/Amsterdam (in 5 hours), until 06:00". */
function windowState(w, zone) {
  const when = (iso) => `${zoneTime(iso, zone)} (${relative(iso)})`;
  return w.open ? `open now, closes ${when(w.closesAt)}` : `closed, opens ${when(w.opensAt)}, until ${zoneTime(w.closesAt, zone)}`;
}

/** A time in the window's own zone, with the weekday when it is not today there. */
function zoneTime(iso, zone) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  try {
    const opts = { timeZone: zone || 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
    const day = (x) => new Intl.DateTimeFormat('en-GB', { timeZone: zone || 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }).format(x);
    if (day(d) !== day(new Date())) opts.weekday = 'short';
    return `${new Intl.DateTimeFormat('en-GB', opts).format(d)} ${zone || 'UTC'}`;
  } catch {
    return d.toISOString();
  }
}

function relative(iso) {
  const ms = Date.parse(iso) - Date.now();
  if (!Number.isFinite(ms)) return '';
  return ms >= 0 ? `in ${fmtDuration(Math.max(ms, 1000))}` : `${fmtDuration(-ms)} ago`;
}

function zoneOf(spec, name) {
  return (spec.windows || []).find((w) => w.name === name)?.zone;
}

function headroomText(h) {
  if (!h || (!h.cpuPercent && !h.memMb)) return 'none';
  return `${fmtCpus(h.cpuPercent || 0)} % of the CPUs and ${fmtMem(h.memMb || 0)} kept free above the owners' load`;
}

function lendingBadge(lending) {
  return el('span', { class: `badge ${lending ? 'st-running' : 'st-unknown'}` }, lending ? 'lending' : 'not lending');
}

function poolsView(main) {
  const body = el('div', { id: 'pools-body' }, el('p', { class: 'muted' }, 'Loading…'));
  main.append(el('section', { class: 'card', 'aria-labelledby': 'pools-title' },
    el('div', { class: 'card-head' }, el('h1', { id: 'pools-title' }, 'Pools')),
    el('p', { class: 'muted small' }, 'Machines shared with their owners. Outside a window the owners keep their reservation; inside one it is lent to revocable jobs and taken back before the window closes or when the owners\' load rises into the headroom.'),
    body));

  async function load() {
    try {
      const { pools = [] } = await api.json('/v1/pools');
      const rows = pools.map((p) => {
        const spec = p.spec || {};
        return el('tr', { 'data-pool': spec.name },
          el('td', { class: 'mono' }, el('a', { href: `#/pools/${enc(spec.name)}` }, spec.name)),
          el('td', { class: 'num' }, String((p.agents || []).length)),
          el('td', {}, lendingBadge(p.lending)),
          el('td', { class: 'small' }, (p.windows || []).length
            ? (p.windows || []).map((w) => el('div', { 'data-window': w.name }, el('b', {}, w.name), ': ', windowState(w, zoneOf(spec, w.name))))
            : el('span', { class: 'muted' }, 'no window: never lends')),
          el('td', {}, resources(spec.reservation)),
          el('td', {}, resources(p.owners)),
          el('td', {}, resources(p.idle)));
      });
      clear(body).append(table(['Pool', { text: 'Agents', cls: 'num' }, 'Now', 'Windows', 'Reservation', 'Owners hold', 'Idle for Nightshift'], rows,
        { caption: 'Pools', empty: 'There is no pool. Agents join one with --pool NAME; an admin declares it with PUT /v1/pools/NAME.' }));
    } catch (e) {
      if (e.status !== 401) clear(body).append(el('p', { class: 'error' }, errorText(e, 'the pools')));
    }
  }
  const reload = debounced(load, 1000);
  load();
  const tick = setInterval(() => { if (!document.hidden) reload(); }, POLL_MS);
  return { onEvent(kind) { if (kind === 'agent') reload(); }, dispose() { reload.cancel(); clearInterval(tick); } };
}

const POOL_RANGES = [['PT1H', 'Last hour', 3600e3], ['PT6H', 'Last 6 hours', 6 * 3600e3], ['PT24H', 'Last 24 hours', 24 * 3600e3]];

function poolView(main, [name], query) {
  let range = POOL_RANGES.find((r) => r[0] === query.get('range')) || POOL_RANGES[2];
  const title = el('h1', { id: 'pool-title' }, `Pool ${name}`);
  const facts = el('div', { id: 'pool-facts' }, el('p', { class: 'muted' }, 'Loading…'));
  const tiles = el('div', { id: 'pool-now', class: 'tiles' });
  const cpuChart = el('figure', { id: 'pool-chart-cpu', class: 'chart pool-chart' });
  const memChart = el('figure', { id: 'pool-chart-mem', class: 'chart pool-chart' });
  const buttons = POOL_RANGES.map((r) => el('button', { type: 'button', 'aria-pressed': String(r === range), onclick: () => {
    range = r;
    for (const [i, b] of buttons.entries()) b.setAttribute('aria-pressed', String(POOL_RANGES[i] === range));
    replaceQuery(new URLSearchParams({ range: r[0] }));
    load();
  } }, r[1]));
  main.append(
    el('section', { class: 'card', 'aria-labelledby': 'pool-title' },
      el('div', { class: 'card-head' }, el('div', {}, el('a', { href: '#/pools', class: 'small' }, '← All pools'), title)),
      tiles, facts),
    el('section', { class: 'card', 'aria-labelledby': 'pool-util-title' },
      el('div', { class: 'card-head' }, el('h2', { id: 'pool-util-title' }, 'Idle and used capacity'),
        el('div', { class: 'controls', role: 'group', 'aria-label': 'Time range' }, buttons)),
      el('p', { class: 'muted small' }, 'Stacked from the bottom: held by Nightshift\'s tasks, held by the owners (their reservation, or their measured load while a window lends it), idle for Nightshift; the rest up to the total is the headroom. Shaded: a window was open and the reservation lent.'),
      cpuChart, memChart));

  async function load() {
    let view;
    try {
      view = await api.json(`/v1/pools/${enc(name)}`);
    } catch (e) {
      if (e.status === 401) return;
      clear(facts).append(el('p', { class: 'error' }, e.status === 404 ? `There is no pool ${name}.` : errorText(e, `pool ${name}`)));
      return;
    }
    renderFacts(view);
    try {
      const util = await api.json(`/v1/pools/${enc(name)}/utilization?since=${range[0]}&points=360`);
      drawPoolChart(cpuChart, util, range, 'cpu');
      drawPoolChart(memChart, util, range, 'mem');
    } catch (e) {
      if (e.status !== 401) clear(cpuChart).append(el('p', { class: 'error' }, errorText(e, 'the pool\'s utilization history')));
    }
  }

  function renderFacts(v) {
    const spec = v.spec || {};
    title.textContent = `Pool ${spec.name || name}`;
    const total = v.total || {};
    const share = (r, f) => (total[f] ? (r?.[f] || 0) / total[f] : 0);
    clear(tiles).append(
      tile('Now', v.lending ? 'Lending' : 'Not lending', v.lending ? 'A window is open: the owners\' reservation is lent to revocable jobs.'
        : 'No window is open: the owners keep their reservation.'),
      tile('Agents', String((v.agents || []).length), `${resources(total)} in all.`),
      tile('Owners hold', pct(share(v.owners, 'cpus')), `${resources(v.owners)} of the CPUs and memory.`),
      tile('Idle for Nightshift', pct(share(v.idle, 'cpus')), `${resources(v.idle)} can take tasks now.`));
    const dl = el('dl', { class: 'facts' });
    const fact = (k, ...x) => dl.append(el('dt', {}, k), el('dd', {}, ...x));
    fact('Windows', (v.windows || []).length ? el('ul', { class: 'plain', id: 'pool-windows' }, (v.windows || []).map((w) => {
      const ws = (spec.windows || []).find((x) => x.name === w.name) || {};
      const ranges = (ws.ranges || []).map((r) => `${r.from}–${r.to}`).join(', ');
      return el('li', { 'data-window': w.name }, el('span', { class: `badge ${w.open ? 'st-running' : 'st-unknown'}` }, w.open ? 'open' : 'closed'), ' ',
        el('b', {}, w.name), ` (${ranges} ${ws.zone || ''}): `, windowState(w, ws.zone));
    })) : el('span', { class: 'muted' }, 'none: this pool never lends its reservation'));
    fact('Reservation', resources(spec.reservation), el('span', { class: 'muted small' }, ' kept for the owners outside the windows'));
    fact('Headroom', headroomText(spec.headroom));
    fact('Reclaim lead', spec.reclaimLead ? fmtDuration(isoMillis(spec.reclaimLead)) || spec.reclaimLead : '30 seconds (default)',
      el('span', { class: 'muted small' }, ' before a window closes, its lent capacity is taken back'));
    fact('Agents', (v.agents || []).length ? el('span', { id: 'pool-agents' }, (v.agents || []).map((id, i) => [i ? ', ' : '', el('a', { class: 'mono', href: '#/agents' }, id)]))
      : el('span', { class: 'muted' }, 'no active agent has --pool ', el('code', {}, spec.name || name)));
    clear(facts).append(dl);
  }

  load();
  const tick = setInterval(() => { if (!document.hidden) load(); }, 10_000);
  return { dispose() { clearInterval(tick); } };
}

/** Milliseconds of an ISO-8601 duration of seconds, minutes or hours (PT30S, PT2M, PT1H30M); NaN otherwise. */
function isoMillis(d) {
  const m = /^PT(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(String(d));
  if (!m) return NaN;
  return 1000 * (3600 * (+m[1] || 0) + 60 * (+m[2] || 0) + (+m[3] || 0));
}

/**
 * One resource (cpu or mem) of a pool over the range: stacked areas of used, owners and idle under the total's line,
 * and the times a window lent the reservation shaded. A gap of more than three sampling steps (the coordinator was
 * down) breaks the areas.
 */
function drawPoolChart(fig, util, range, res) {
  const samples = util.samples || [];
  const key = res === 'cpu' ? 'cpus' : 'memMb';
  const label = res === 'cpu' ? 'CPUs' : 'Memory';
  const fmt = res === 'cpu' ? (v) => `${fmtCpus(Math.round(v * 100) / 100)}` : (v) => fmtMem(Math.round(v));
  const W = 800, H = 200, L = 64, R = 12, T = 10, B = 26;
  const end = Date.now();
  const start = end - range[2];
  const max = Math.max(1e-9, ...samples.map((s) => s.total?.[key] || 0));
  const x = (t) => L + ((t - start) / (end - start)) * (W - L - R);
  const y = (v) => T + (1 - Math.max(0, Math.min(1, v / max))) * (H - T - B);
  const step = 1000 * (util.intervalSeconds || 10) * Math.max(1, Math.ceil(samples.length / 360));
  const capId = `pool-caption-${res}`;
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': capId, preserveAspectRatio: 'none' });

  // runs of consecutive samples (no gap)
  const runs = [];
  let run = [];
  const gapMs = 3 * 1000 * (util.intervalSeconds || 10);
  for (const s of samples) {
    const t = Date.parse(s.at);
    if (run.length && t - Date.parse(run[run.length - 1].at) > Math.max(gapMs, 3 * step)) { runs.push(run); run = []; }
    run.push(s);
  }
  if (run.length) runs.push(run);

  // lending bands: each lending sample shades the time since the sample before it
  for (const r of runs) {
    r.forEach((sm, i) => {
      if (!sm.lending) return;
      const t = Date.parse(sm.at);
      const from = i === 0 ? t - step : Date.parse(r[i - 1].at);
      root.append(svg('rect', { x: x(from), y: T, width: Math.max(1, x(t) - x(from)), height: H - T - B, class: 'band' }));
    });
  }
  for (const f of [0, 0.5, 1]) {
    root.append(svg('line', { x1: L, x2: W - R, y1: y(f * max), y2: y(f * max), class: 'gridline' }),
      svg('text', { x: L - 6, y: y(f * max) + 4, 'text-anchor': 'end', class: 'axis' }, samples.length ? fmt(f * max) : ''));
  }
  for (let i = 0; i <= 4; i++) {
    const t = start + (i / 4) * (end - start);
    root.append(svg('text', { x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'axis' },
      new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
  }
  const layers = [['used', (s) => s.used?.[key] || 0], ['owners', (s) => s.owners?.[key] || 0], ['idle', (s) => s.idle?.[key] || 0]];
  for (const r of runs) {
    const pts = r.length === 1 ? [r[0], r[0]] : r;
    const xs = pts.map((s, i) => x(Date.parse(s.at) - (r.length === 1 && i === 0 ? step : 0)));
    let base = pts.map(() => 0);
    for (const [cls, f] of layers) {
      const top = pts.map((s, i) => base[i] + f(s));
      const upper = pts.map((_, i) => `${xs[i].toFixed(1)},${y(top[i]).toFixed(1)}`);
      const lower = pts.map((_, i) => `${xs[i].toFixed(1)},${y(base[i]).toFixed(1)}`).reverse();
      root.append(svg('polygon', { points: [...upper, ...lower].join(' '), class: `area ${cls}` }));
      base = top;
    }
    root.append(svg('polyline', { points: pts.map((s, i) => `${xs[i].toFixed(1)},${y(s.total?.[key] || 0).toFixed(1)}`).join(' '), class: `series total ${res}` }));
  }
  const mean = (f) => (samples.length ? samples.reduce((a, s) => a + f(s), 0) / samples.length : 0);
  const lentShare = samples.length ? samples.filter((s) => s.lending).length / samples.length : 0;
  const caption = samples.length
    ? `${label}, ${range[1].toLowerCase()}: on average ${fmt(mean(layers[0][1]))} held by Nightshift, ${fmt(mean(layers[1][1]))} by the owners, `
      + `${fmt(mean(layers[2][1]))} idle, of ${fmt(mean((s) => s.total?.[key] || 0))}; a window was open ${pct(lentShare)} of the time. `
      + `${plural(samples.length, 'point')}, sampled every ${fmtDuration((util.intervalSeconds || 10) * 1000)}.`
    : `${label}, ${range[1].toLowerCase()}: no sample yet. The coordinator records one every ${fmtDuration((util.intervalSeconds || 10) * 1000)}.`;
  clear(fig).append(root, el('figcaption', { id: capId },
    el('span', { class: 'legend used' }, 'Nightshift'), ' ', el('span', { class: 'legend owners' }, 'Owners'), ' ',
    el('span', { class: 'legend idle' }, 'Idle'), ' ', el('span', { class: 'legend total' }, 'Total'), ' ',
    el('span', { class: 'legend band' }, 'Window open'), ' ', caption));
}

// ---------------------------------------------------------------- cluster

const RANGES = [['PT1H', 'Last hour', 3600e3], ['PT6H', 'Last 6 hours', 6 * 3600e3], ['PT24H', 'Last 24 hours', 24 * 3600e3]];

function clusterView(main, _params, query) {
  let range = RANGES.find((r) => r[0] === query.get('range')) || RANGES[1];
  const now = el('div', { id: 'cluster-now', class: 'tiles' });
  const chart = el('figure', { id: 'utilization-chart', class: 'chart' });
  const buttons = RANGES.map((r) => el('button', { type: 'button', 'aria-pressed': String(r === range), onclick: () => {
    range = r;
    for (const [i, b] of buttons.entries()) b.setAttribute('aria-pressed', String(RANGES[i] === range));
    replaceQuery(new URLSearchParams({ range: r[0] }));
    load();
  } }, r[1]));
  main.append(
    el('section', { class: 'card', 'aria-labelledby': 'cluster-title' },
      el('div', { class: 'card-head' }, el('h1', { id: 'cluster-title' }, 'Cluster')), now),
    el('section', { class: 'card', 'aria-labelledby': 'util-title' },
      el('div', { class: 'card-head' }, el('h2', { id: 'util-title' }, 'Utilization'), el('div', { class: 'controls', role: 'group', 'aria-label': 'Time range' }, buttons)),
      chart));

  async function load() {
    try {
      const [{ agents = [] }, util] = await Promise.all([api.json('/v1/agents'), api.json(`/v1/cluster/utilization?since=${range[0]}&points=360`)]);
      const active = agents.filter((a) => a.status === 'ACTIVE');
      const sum = (f) => active.reduce((s, a) => s + (f(a) || 0), 0);
      const tc = sum((a) => a.total?.cpus), uc = sum((a) => a.allocated?.cpus), tm = sum((a) => a.total?.memMb), um = sum((a) => a.allocated?.memMb);
      clear(now).append(
        tile('Agents', `${active.length}`, `${active.length} of ${plural(agents.length, 'agent')} active.`),
        tile('CPUs in use', tc ? pct(uc / tc) : '0 %', `${fmtCpus(uc)} of ${fmtCpus(tc)} CPUs are held by tasks.`),
        tile('Memory in use', tm ? pct(um / tm) : '0 %', `${fmtMem(um)} of ${fmtMem(tm)} is held by tasks.`));
      drawChart(chart, util, range);
    } catch (e) {
      if (e.status !== 401) clear(chart).append(el('p', { class: 'error' }, errorText(e, 'the utilization history')));
    }
  }
  load();
  const tick = setInterval(() => { if (!document.hidden) load(); }, 10_000);
  return { dispose() { clearInterval(tick); } };
}

function tile(label, value, sentence) {
  return el('div', { class: 'tile' }, el('div', { class: 'tile-label' }, label), el('div', { class: 'tile-value' }, value), el('p', { class: 'small muted' }, sentence));
}

function drawChart(fig, util, range) {
  const samples = util.samples || [];
  const W = 800, H = 240, L = 44, R = 12, T = 12, B = 28;
  const end = Date.now();
  const start = end - range[2];
  const x = (t) => L + ((t - start) / (end - start)) * (W - L - R);
  const y = (f) => T + (1 - Math.max(0, Math.min(1, f))) * (H - T - B);
  const series = [
    ['cpu', 'CPUs', (s) => (s.total.cpus ? s.used.cpus / s.total.cpus : 0)],
    ['mem', 'Memory', (s) => (s.total.memMb ? s.used.memMb / s.total.memMb : 0)],
  ];
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-caption', preserveAspectRatio: 'none' });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    root.append(svg('line', { x1: L, x2: W - R, y1: y(f), y2: y(f), class: 'gridline' }),
      svg('text', { x: L - 6, y: y(f) + 4, 'text-anchor': 'end', class: 'axis' }, `${f * 100} %`));
  }
  for (let i = 0; i <= 4; i++) {
    const t = start + (i / 4) * (end - start);
    root.append(svg('text', { x: x(t), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle', class: 'axis' },
      new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })));
  }
  for (const [cls, , f] of series) {
    const pts = samples.map((s) => `${x(Date.parse(s.at)).toFixed(1)},${y(f(s)).toFixed(1)}`);
    if (pts.length === 1) pts.push(pts[0]);
    if (pts.length) root.append(svg('polyline', { points: pts.join(' '), class: `series ${cls}` }));
  }
  const stats = series.map(([, name, f]) => {
    const v = samples.map(f);
    if (!v.length) return null;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return `${name} ${pct(mean)} on average, at most ${pct(Math.max(...v))}`;
  }).filter(Boolean);
  const caption = samples.length
    ? `${range[1]}: ${stats.join('; ')}. ${plural(samples.length, 'point')}, sampled by the coordinator every ${fmtDuration((util.intervalSeconds || 10) * 1000)}.`
    : `${range[1]}: no sample yet. The coordinator records one every ${fmtDuration((util.intervalSeconds || 10) * 1000)}.`;
  clear(fig).append(root,
    el('figcaption', { id: 'chart-caption' },
      el('span', { class: 'legend cpu' }, 'CPUs'), ' ', el('span', { class: 'legend mem' }, 'Memory'), ' ', caption));
}

// ---------------------------------------------------------------- login

function loginView(main, _params, query) {
  const next = query.get('next') || '/jobs';
  const input = el('input', { id: 'token', type: 'password', autocomplete: 'current-password', spellcheck: 'false', required: true, size: 40 });
  const msg = el('p', { id: 'login-message', role: 'status' }, query.get('why') === 'rejected'
    ? 'The coordinator did not accept that token. Check it and try again.'
    : 'The coordinator asks for an API token. It is kept in this browser tab only (sessionStorage) and sent with every request.');
  main.append(el('section', { class: 'card narrow', 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title' }, 'Sign in'), msg,
    el('form', { id: 'login-form', onsubmit: (ev) => {
      ev.preventDefault();
      const t = input.value.trim();
      if (!t) return;
      api.setToken(t);
      input.value = '';
      startEvents();
      loadWhoami();
      go(next.startsWith('/') ? next : '/jobs');
    } }, el('label', { for: 'token' }, 'API token'), ' ', input, ' ', el('button', { type: 'submit' }, 'Sign in'))));
  input.focus();
  return {};
}

// ---------------------------------------------------------------- events and header

let stopEvents = null;

function startEvents() {
  if (stopEvents) stopEvents();
  const pill = $('live');
  stopEvents = api.followEvents((kind, data) => {
    if (current?.controller?.onEvent) current.controller.onEvent(kind, data);
  }, (status) => {
    pill.className = `pill ${status === 'live' ? 'pill-ok' : status === 'reconnecting' ? 'pill-warn' : 'pill-bad'}`;
    pill.textContent = status === 'live' ? 'Live' : status === 'reconnecting' ? 'Reconnecting…' : 'Not live';
    if (status === 'live' && current?.controller?.onEvent) current.controller.onEvent('job', {}); // catch up after a break
  });
}

async function loadWhoami() {
  const who = $('whoami');
  const out = $('signout');
  out.hidden = !api.token();
  try {
    const w = await api.json('/v1/whoami');
    who.textContent = `Signed in as ${w.subject}${(w.roles || []).length ? ` (${w.roles.join(', ')})` : ''}`;
    who.hidden = false;
  } catch {
    who.hidden = true; // no authentication on this coordinator (404), or not signed in yet
  }
}

async function loadVersion() {
  try {
    const v = await api.json('/v1/version');
    $('version').textContent = !v.version ? '' : /^\d/.test(v.version) ? `v${v.version}` : v.version;
  } catch {
    // decoration only
  }
}

function init() {
  renderNav();
  api.onUnauthorized(() => {
    const { path, query } = parseHash();
    if (path === '/login') return;
    const rejected = !!api.token();
    api.setToken(null);
    if (stopEvents) { stopEvents(); stopEvents = null; }
    const q = new URLSearchParams({ next: `${path}${query.toString() ? `?${query}` : ''}` });
    if (rejected) q.set('why', 'rejected');
    go(`/login?${q}`);
  });
  $('signout').addEventListener('click', () => { api.setToken(null); loadWhoami(); go('/login'); });
  // After a navigation, focus moves to the new view so keyboard and screen-reader users start there.
  window.addEventListener('hashchange', () => { route(); $('view').focus({ preventScroll: true }); });
  if (!location.hash) history.replaceState(null, '', '#/jobs');
  route();
  startEvents();
  loadVersion();
  loadWhoami();
}

init();
