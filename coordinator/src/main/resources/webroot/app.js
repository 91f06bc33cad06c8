// Nightshift dashboard. Plain ES2020, no build step, no dependencies.
//
// Safety rule for this file: text that comes from the API (job names, labels, ids, messages, logs)
// is only ever put into the page as text nodes (el()/textContent), never as HTML.

const API = ''; // same origin as the page
const PAGE_SIZE = 100;
const REFRESH_DEBOUNCE_MS = 400;
const POLL_MS = 5000;           // offers and agents change without a job event; poll them gently
const MAX_EVENTS = 200;          // kept in the feed
const MAX_LOG_CHARS = 2_000_000; // the log view keeps the last 2 MB of text
const LOG_TAIL_LINES = 1000;

const JOB_STATES = new Set(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'KILLED']);
const TASK_STATES = new Set(['PENDING', 'STAGING', 'FETCHING', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'LOST']);
const AGENT_STATES = new Set(['ACTIVE', 'DISCONNECTED', 'LOST']);
const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'KILLED']);

const $ = (id) => document.getElementById(id);

const state = {
  jobs: [],
  next: null,
  selected: null,     // job id
  detail: null,       // last JobDetail of the selected job
  log: null,          // {abort: AbortController, key: string}
  lastEventId: null,
};

// ---------------------------------------------------------------- DOM helpers

/** Creates an element. attrs: {class, title, dataset-free attributes...}; children: nodes or text. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'onclick') node.addEventListener('click', v);
    else node.setAttribute(k, String(v));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** A coloured state badge; the class comes from a fixed list, never from the raw value. */
function badge(value, known) {
  const cls = known.has(value) ? `st-${value.toLowerCase()}` : 'st-unknown';
  return el('span', { class: `badge ${cls}` }, value ?? '—');
}

function chip(text) {
  return el('span', { class: 'chip' }, text);
}

// ---------------------------------------------------------------- formatting

function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString() : d.toLocaleString();
}

function fmtDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

function between(fromIso, toIso) {
  if (!fromIso) return null;
  const from = Date.parse(fromIso);
  const to = toIso ? Date.parse(toIso) : Date.now();
  return to - from;
}

function ago(iso) {
  const ms = between(iso, null);
  return ms === null ? '—' : `${fmtDuration(ms)} ago`;
}

function fmtMem(mb) {
  if (mb === undefined || mb === null) return '—';
  return mb >= 1024 ? `${(mb / 1024).toFixed(mb % 1024 === 0 ? 0 : 1)} GiB` : `${mb} MiB`;
}

function fmtCpus(c) {
  if (c === undefined || c === null) return '—';
  return Number.isInteger(c) ? String(c) : c.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

// ---------------------------------------------------------------- API

class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem?.detail || problem?.title || `HTTP ${status}`;
    super(detail);
    this.status = status;
    this.problem = problem;
  }
}

async function api(path, options = {}) {
  let res;
  try {
    res = await fetch(API + path, { headers: { Accept: 'application/json' }, ...options });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { detail: 'coordinator unreachable' });
  }
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) throw new ApiError(res.status, typeof body === 'object' && body ? body : { detail: String(body || '') });
  return body;
}

const enc = encodeURIComponent;

function showBanner(text) {
  const b = $('banner');
  if (!text) { b.hidden = true; return; }
  b.textContent = text;
  b.hidden = false;
}

let toastTimer;
function toast(text, kind = 'info') {
  const t = $('toast');
  t.textContent = text;
  t.className = `toast ${kind === 'error' ? 'toast-error' : ''}`;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, 4000);
}

// ---------------------------------------------------------------- jobs

function jobQuery(after) {
  const p = new URLSearchParams({ limit: String(PAGE_SIZE) });
  const st = $('state-filter').value;
  const q = $('queue-filter').value.trim();
  const label = $('label-filter').value.trim();
  if (st) p.set('state', st);
  if (q) p.set('queue', q);
  if (label) p.append('label', label);
  if (after) p.set('after', after);
  return `/v1/jobs?${p}`;
}

async function loadJobs() {
  try {
    // Reload as many pages as are shown, so a refresh does not shrink the list under the user.
    const shown = Math.max(state.jobs.length, 1);
    let jobs = [];
    let next = null;
    do {
      const page = await api(jobQuery(next));
      jobs = jobs.concat(page.jobs || []);
      next = page.next || null;
    } while (next && jobs.length < shown);
    state.jobs = jobs;
    state.next = next;
    renderJobs();
    showBanner(null);
  } catch (e) {
    if (e.status === 400) showBanner(`Filter rejected: ${problemText(e)}`);
    else showBanner(`Cannot load jobs: ${e.message}`);
  }
}

async function loadMoreJobs() {
  if (!state.next) return;
  try {
    const page = await api(jobQuery(state.next));
    state.jobs = state.jobs.concat(page.jobs || []);
    state.next = page.next || null;
    renderJobs();
  } catch (e) {
    toast(`Cannot load more jobs: ${e.message}`, 'error');
  }
}

function problemText(e) {
  const ps = e.problem?.problems;
  if (Array.isArray(ps) && ps.length) return ps.map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
  return e.message;
}

function renderJobs() {
  const tbody = clear($('jobs-table').tBodies[0]);
  for (const job of state.jobs) {
    const spec = job.spec || {};
    const tr = el('tr', { tabindex: '0', 'aria-selected': String(job.id === state.selected) },
      el('td', { class: 'mono' }, job.id),
      el('td', {}, spec.name ?? '', labelChips(spec.labels)),
      el('td', {}, badge(job.state, JOB_STATES), job.killRequested && !TERMINAL.has(job.state) ? el('span', { class: 'muted small' }, ' killing') : null),
      el('td', {}, spec.queue ?? ''),
      el('td', { class: 'nowrap', title: job.submittedAt || '' }, fmtTime(job.submittedAt)),
      el('td', { class: 'num' }, fmtDuration(between(job.submittedAt, job.finishedAt))),
    );
    if (job.id === state.selected) tr.classList.add('selected');
    tr.addEventListener('click', () => selectJob(job.id));
    tr.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') selectJob(job.id); });
    tbody.append(tr);
  }
  $('jobs-empty').hidden = state.jobs.length > 0;
  $('jobs-count').textContent = `${state.jobs.length} job${state.jobs.length === 1 ? '' : 's'}${state.next ? ' shown' : ''}`;
  $('more').hidden = !state.next;
}

function labelChips(labels) {
  if (!labels) return null;
  const entries = Object.entries(labels);
  if (!entries.length) return null;
  return el('div', { class: 'chips' }, entries.map(([k, v]) => chip(`${k}=${v}`)));
}

// ---------------------------------------------------------------- job detail

async function selectJob(id) {
  if (state.selected !== id) stopLog();
  state.selected = id;
  history.replaceState(null, '', `#job=${enc(id)}`);
  $('detail').hidden = false;
  renderJobs();
  await loadDetail();
}

function closeDetail() {
  stopLog();
  state.selected = null;
  state.detail = null;
  $('detail').hidden = true;
  history.replaceState(null, '', location.pathname);
  renderJobs();
}

async function loadDetail() {
  const id = state.selected;
  if (!id) return;
  try {
    const d = await api(`/v1/jobs/${enc(id)}`);
    if (state.selected !== id) return; // another job was selected meanwhile
    state.detail = d;
    renderDetail(d);
  } catch (e) {
    if (state.selected !== id) return;
    clear($('detail-body')).append(el('p', { class: 'error' },
      e.status === 404 ? `Job ${id} does not exist.` : `Cannot load job ${id}: ${e.message}`));
    $('kill').hidden = true;
  }
}

function renderDetail(d) {
  const job = d.job;
  const spec = job.spec || {};
  $('detail-title').textContent = `Job ${job.id}`;
  $('kill').hidden = TERMINAL.has(job.state) || job.killRequested;

  const body = clear($('detail-body'));
  const facts = el('dl', { class: 'facts' });
  const fact = (k, ...v) => facts.append(el('dt', {}, k), el('dd', {}, ...v));
  fact('Name', spec.name ?? '');
  fact('State', badge(job.state, JOB_STATES), job.reason ? el('span', { class: 'muted' }, ` ${job.reason}`) : null,
    job.killRequested && !TERMINAL.has(job.state) ? el('span', { class: 'muted' }, ' (kill requested)') : null);
  fact('Queue', spec.queue ?? '');
  fact('Type', spec.type ?? '', spec.type === 'jvm' && spec.jvm ? el('span', { class: 'mono muted' }, ` ${spec.jvm.mainClass}`) : null);
  if (spec.type === 'command' && spec.command) {
    fact('Command', el('code', { class: 'wrap' }, spec.command.shell ?? (spec.command.argv || []).join(' ')));
  }
  if (Array.isArray(spec.args) && spec.args.length) fact('Args', el('code', { class: 'wrap' }, spec.args.join(' ')));
  if (spec.resources) {
    fact('Resources', `${fmtCpus(spec.resources.cpus)} cpus, ${fmtMem(spec.resources.memMb)}`
      + (spec.resources.gpus ? `, ${spec.resources.gpus} gpus` : '')
      + (spec.instances > 1 ? ` × ${spec.instances} instances` : ''));
  }
  if (spec.retries) fact('Retries', `${spec.retries.max ?? 0}` + (spec.retries.backoff ? ` (back-off ${spec.retries.backoff.initial} … ${spec.retries.backoff.max})` : ''));
  fact('Submitted', fmtTime(job.submittedAt));
  if (job.finishedAt) fact('Finished', fmtTime(job.finishedAt), el('span', { class: 'muted' }, ` after ${fmtDuration(between(job.submittedAt, job.finishedAt))}`));
  const labels = labelChips(spec.labels);
  if (labels) fact('Labels', labels);
  body.append(facts);

  const pending = d.pending;
  if (pending && ((pending.tasks || []).length || (pending.reasons || []).length)) {
    body.append(el('div', { class: 'pending' },
      el('h3', {}, 'Waiting to be placed'),
      el('p', { class: 'muted' }, (pending.tasks || []).join(', ')),
      el('ul', {}, (pending.reasons || []).map((r) => el('li', {},
        el('span', { class: 'mono' }, r.code), ` on ${r.agents} agent${r.agents === 1 ? '' : 's'}: `, r.message ?? '')))));
  }

  const runs = d.runs || [];
  if (!runs.length) body.append(el('p', { class: 'muted' }, 'No run yet.'));
  for (const rd of runs.slice().reverse()) {
    const run = rd.run || {};
    const table = el('table', { class: 'grid compact' },
      el('thead', {}, el('tr', {}, ['Task / attempt', 'Agent', 'State', 'Exit', 'Reason', 'Started', 'Ran']
        .map((h) => el('th', {}, h)))));
    const tb = el('tbody');
    for (const task of rd.tasks || []) {
      tb.append(el('tr', { class: 'task-row' },
        el('td', { class: 'mono' }, task.id),
        el('td', {}, ''),
        el('td', {}, badge(task.state, TASK_STATES)),
        el('td', {}, ''),
        el('td', {}, task.reason ?? ''),
        el('td', { colspan: 2, class: 'small' },
          task.notBefore && task.state === 'PENDING' ? `retry not before ${fmtTime(task.notBefore)}` : '')));
      for (const a of task.attempts || []) {
        tb.append(el('tr', {},
          el('td', { class: 'mono indent' }, a.id),
          el('td', { class: 'nowrap', title: a.host || '' }, a.agentId ?? ''),
          el('td', {}, badge(a.state, TASK_STATES)),
          el('td', { class: a.exitCode ? 'num bad' : 'num' }, a.exitCode ?? ''),
          el('td', {}, a.reason ?? ''),
          el('td', { class: 'nowrap', title: a.startedAt || a.launchedAt || '' }, fmtTime(a.startedAt || a.launchedAt)),
          el('td', { class: 'num' }, fmtDuration(between(a.startedAt || a.launchedAt, a.finishedAt)))));
        if (a.message) {
          tb.append(el('tr', { class: 'message-row' }, el('td', {}, ''), el('td', { colspan: 6, class: 'wrap' }, a.message)));
        }
      }
    }
    table.append(tb);
    body.append(el('div', { class: 'run' },
      el('h3', {}, `Run ${run.number ?? ''} `, badge(run.state, JOB_STATES),
        el('span', { class: 'muted small' }, ` ${run.id ?? ''} · created ${fmtTime(run.createdAt)}`)),
      el('div', { class: 'table-wrap' }, table)));
  }

  renderLogChoices(d);
}

async function killSelected() {
  const id = state.selected;
  if (!id) return;
  if (!window.confirm(`Kill job ${id}? Running tasks get SIGTERM, then SIGKILL after the grace period.`)) return;
  try {
    await api(`/v1/jobs/${enc(id)}`, { method: 'DELETE' });
    toast(`Kill requested for ${id}`);
    scheduleRefresh({ jobs: true, detail: true });
  } catch (e) {
    toast(`Cannot kill ${id}: ${e.message}`, 'error');
  }
}

// ---------------------------------------------------------------- logs

/** Fills the task selector with the tasks that have an attempt, latest run first. */
function renderLogChoices(d) {
  const select = $('log-task');
  const previous = select.value;
  const tasks = [];
  for (const rd of (d.runs || []).slice().reverse()) {
    for (const t of rd.tasks || []) if ((t.attempts || []).length) tasks.push(t);
  }
  const ids = tasks.map((t) => t.id);
  const same = ids.length === select.options.length && ids.every((id, i) => select.options[i].value === id);
  if (!same) {
    clear(select);
    for (const t of tasks) select.append(el('option', { value: t.id }, t.id));
    if (ids.includes(previous)) select.value = previous;
  }
  if (!tasks.length) {
    stopLog();
    $('log').textContent = '';
    $('log-status').textContent = 'no attempt has started yet';
    return;
  }
  const task = tasks.find((t) => t.id === select.value) || tasks[0];
  const attempt = task.attempts[task.attempts.length - 1];
  const key = `${task.id}|${attempt.id}|${phase(attempt.state)}|${$('log-stream').value}|${$('log-follow').checked}`;
  // Reload when the task, its current attempt, the attempt's phase, the stream or the follow mode changed.
  if (!state.log || state.log.key !== key) startLog(task.id, attempt, key);
}

/** starting (no log yet, maybe), running (log grows), ended (log is final). */
function phase(attemptState) {
  if (attemptState === 'RUNNING') return 'running';
  return TASK_STATES.has(attemptState) && !['PENDING', 'STAGING', 'FETCHING'].includes(attemptState) ? 'ended' : 'starting';
}

function stopLog() {
  if (state.log) state.log.abort.abort();
  state.log = null;
}

async function startLog(taskId, attempt, key) {
  stopLog();
  const abort = new AbortController();
  state.log = { abort, key };
  const stream = $('log-stream').value;
  const follow = $('log-follow').checked && phase(attempt.state) !== 'ended';
  const pre = $('log');
  pre.textContent = '';
  const status = $('log-status');
  status.textContent = follow ? `following ${stream} of ${attempt.id}…` : `${stream} of ${attempt.id} (last ${LOG_TAIL_LINES} lines)`;
  const url = `/v1/tasks/${enc(taskId)}/logs/${stream}?tail=${LOG_TAIL_LINES}${follow ? '&follow=true' : ''}`;
  try {
    const res = await fetch(API + url, { signal: abort.signal, headers: { Accept: 'text/plain' } });
    if (!res.ok) {
      const type = res.headers.get('Content-Type') || '';
      const problem = type.includes('json') ? await res.json().catch(() => null) : null;
      status.textContent = res.status === 503 ? 'the agent holding this log is unreachable right now'
        : res.status === 409 ? 'the task has not started yet'
          : res.status === 404 ? 'no log (the sandbox may have been cleaned up)'
            : `cannot read log: ${problem?.detail || `HTTP ${res.status}`}`;
      return;
    }
    const current = () => state.log !== null && state.log.abort === abort;
    if (!follow || !res.body) {
      const text = await res.text();
      if (current()) appendLog(pre, text);
      return;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done || !current()) break;
      appendLog(pre, decoder.decode(value, { stream: true }));
    }
    if (current()) {
      appendLog(pre, decoder.decode());
      status.textContent = `${stream} of ${attempt.id} (ended)`;
    }
  } catch (e) {
    if (e.name !== 'AbortError') status.textContent = `log stream broke: ${e.message}`;
  }
}

function appendLog(pre, text) {
  if (!text) return;
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 8;
  pre.append(document.createTextNode(text));
  if (pre.textContent.length > MAX_LOG_CHARS) {
    pre.textContent = pre.textContent.slice(-MAX_LOG_CHARS);
  }
  if (atBottom) pre.scrollTop = pre.scrollHeight;
}

function restartLog() {
  stopLog(); // and so renderLogChoices starts a new read
  if (state.detail) renderLogChoices(state.detail);
}

// ---------------------------------------------------------------- agents and offers

async function loadAgents() {
  try {
    const { agents = [] } = await api('/v1/agents');
    const tbody = clear($('agents-table').tBodies[0]);
    for (const a of agents) {
      const total = a.total || {};
      const alloc = a.allocated || {};
      tbody.append(el('tr', {},
        el('td', { class: 'mono' }, a.id),
        el('td', { title: a.httpUrl || '' }, a.host ?? ''),
        el('td', {}, badge(a.status, AGENT_STATES)),
        el('td', {}, bar(alloc.cpus, total.cpus, `${fmtCpus(alloc.cpus ?? 0)} / ${fmtCpus(total.cpus ?? 0)}`)),
        el('td', {}, bar(alloc.memMb, total.memMb, `${fmtMem(alloc.memMb ?? 0)} / ${fmtMem(total.memMb ?? 0)}`)),
        el('td', { class: 'small' }, a.isolation ?? ''),
        el('td', { title: a.lastHeartbeat || '' }, ago(a.lastHeartbeat))));
    }
    $('agents-empty').hidden = agents.length > 0;
    const active = agents.filter((a) => a.status === 'ACTIVE').length;
    $('agents-count').textContent = `${active} active of ${agents.length}`;
  } catch (e) {
    $('agents-count').textContent = `cannot load: ${e.message}`;
  }
}

function bar(used, total, label) {
  const pct = total > 0 ? Math.max(0, Math.min(100, (100 * (used || 0)) / total)) : 0;
  const fill = el('div', { class: `fill ${pct >= 90 ? 'hot' : pct >= 70 ? 'warm' : ''}` });
  fill.style.width = `${pct.toFixed(1)}%`;
  return el('div', { class: 'bar-cell', title: `${pct.toFixed(0)} %` },
    el('div', { class: 'bar' }, fill), el('span', { class: 'small' }, label));
}

async function loadOffers() {
  try {
    const { offers = [] } = await api('/v1/offers');
    const tbody = clear($('offers-table').tBodies[0]);
    for (const o of offers) {
      const r = o.resources || {};
      tbody.append(el('tr', {},
        el('td', { class: 'mono' }, o.id),
        el('td', { class: 'mono' }, o.agentId ?? ''),
        el('td', { class: 'num' }, fmtCpus(r.cpus)),
        el('td', { class: 'num' }, fmtMem(r.memMb)),
        el('td', { class: 'num' }, fmtMem(r.diskMb)),
        el('td', { class: 'num' }, r.gpus ?? 0),
        el('td', { title: o.expiresAt || '' }, expiresIn(o.expiresAt))));
    }
    $('offers-empty').hidden = offers.length > 0;
    $('offers-count').textContent = `${offers.length}`;
  } catch (e) {
    $('offers-count').textContent = `cannot load: ${e.message}`;
  }
}

function expiresIn(iso) {
  if (!iso) return '—';
  const ms = Date.parse(iso) - Date.now();
  return ms <= 0 ? 'expired' : `in ${fmtDuration(ms)}`;
}

async function loadHeader() {
  try {
    const h = await api('/health');
    setPill($('health'), h.status === 'UP' ? 'ok' : 'bad', `health ${h.status ?? '?'}`);
  } catch (e) {
    setPill($('health'), 'bad', 'health: unreachable');
  }
  try {
    const v = await api('/v1/version');
    $('version').textContent = !v.version ? '' : /^\d/.test(v.version) ? `v${v.version}` : v.version;
  } catch (e) {
    // the version is decoration
  }
}

function setPill(node, kind, text) {
  node.textContent = text;
  node.className = `pill pill-${kind}`;
}

// ---------------------------------------------------------------- events

const EVENT_KINDS = ['job', 'run', 'task', 'agent'];

function connectEvents() {
  const es = new EventSource(`${API}/v1/events`);
  es.addEventListener('open', () => setPill($('live'), 'ok', 'events live'));
  es.addEventListener('error', () => {
    // EventSource reconnects by itself and sends Last-Event-ID, so missed events are replayed.
    setPill($('live'), es.readyState === EventSource.CLOSED ? 'bad' : 'warn', 'events reconnecting…');
  });
  for (const kind of EVENT_KINDS) {
    es.addEventListener(kind, (msg) => onEvent(kind, msg));
  }
  return es;
}

function onEvent(kind, msg) {
  let e;
  try {
    e = JSON.parse(msg.data);
  } catch {
    return;
  }
  state.lastEventId = msg.lastEventId;
  if (!$('events-pause').checked) addToFeed(kind, e);
  if (kind === 'agent') {
    scheduleRefresh({ agents: true, offers: true });
  } else {
    const concernsSelected = state.selected && (e.jobId === state.selected || e.id === state.selected);
    scheduleRefresh({ jobs: true, agents: kind === 'task', offers: kind === 'task', detail: concernsSelected });
  }
}

function addToFeed(kind, e) {
  const feed = $('events');
  const target = e.jobId && kind !== 'agent'
    ? el('a', { href: `#job=${enc(e.jobId)}`, class: 'mono', onclick: (ev) => { ev.preventDefault(); selectJob(e.jobId); } }, e.id ?? e.jobId)
    : el('span', { class: 'mono' }, e.id ?? '');
  const states = kind === 'agent' ? AGENT_STATES : kind === 'task' ? TASK_STATES : JOB_STATES;
  feed.prepend(el('li', {},
    el('span', { class: 'muted small mono' }, `#${e.seq ?? ''} ${fmtTime(e.time)}`), ' ',
    el('span', { class: 'kind' }, kind), ' ',
    target, ' ',
    e.state ? badge(e.state, states) : null,
    e.exitCode !== undefined && e.exitCode !== null ? el('span', { class: e.exitCode ? 'bad' : 'muted' }, ` exit ${e.exitCode}`) : null,
    e.reason ? el('span', { class: 'muted' }, ` ${e.reason}`) : null,
    e.agentId && kind !== 'agent' ? el('span', { class: 'muted small' }, ` on ${e.agentId}`) : null));
  while (feed.children.length > MAX_EVENTS) feed.lastElementChild.remove();
  $('events-empty').hidden = true;
}

// ---------------------------------------------------------------- refresh scheduling

let pending = {};
let refreshTimer = null;

/** Coalesces bursts of events into one reload of each affected table. */
function scheduleRefresh(what) {
  for (const [k, v] of Object.entries(what)) if (v) pending[k] = true;
  if (refreshTimer) return;
  refreshTimer = setTimeout(async () => {
    const todo = pending;
    pending = {};
    refreshTimer = null;
    const work = [];
    if (todo.jobs) work.push(loadJobs());
    if (todo.detail) work.push(loadDetail());
    if (todo.agents) work.push(loadAgents());
    if (todo.offers) work.push(loadOffers());
    await Promise.allSettled(work);
  }, REFRESH_DEBOUNCE_MS);
}

function refreshAll() {
  scheduleRefresh({ jobs: true, detail: true, agents: true, offers: true });
  loadHeader();
}

// ---------------------------------------------------------------- wiring

function debounce(fn, ms) {
  let t;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

function init() {
  $('refresh').addEventListener('click', refreshAll);
  $('more').addEventListener('click', loadMoreJobs);
  const refilter = () => { state.jobs = []; state.next = null; loadJobs(); };
  $('state-filter').addEventListener('change', refilter);
  $('queue-filter').addEventListener('input', debounce(refilter, 400));
  $('label-filter').addEventListener('input', debounce(refilter, 400));
  $('close-detail').addEventListener('click', closeDetail);
  $('kill').addEventListener('click', killSelected);
  $('log-task').addEventListener('change', restartLog);
  $('log-stream').addEventListener('change', restartLog);
  $('log-follow').addEventListener('change', restartLog);
  $('events-clear').addEventListener('click', () => { clear($('events')); $('events-empty').hidden = false; });
  document.addEventListener('keydown', (ev) => { if (ev.key === 'Escape' && state.selected) closeDetail(); });

  loadHeader();
  loadJobs();
  loadAgents();
  loadOffers();
  connectEvents();

  const m = /^#job=(.+)$/.exec(location.hash);
  if (m) selectJob(decodeURIComponent(m[1]));

  // Offers expire and agents heartbeat without a job event: poll those two, and the header.
  setInterval(() => {
    if (document.hidden) return;
    scheduleRefresh({ offers: true, agents: true });
  }, POLL_MS);
  setInterval(() => { if (!document.hidden) loadHeader(); }, 30_000);
  // Durations of running jobs grow; re-render the table (no fetch) every few seconds.
  setInterval(() => { if (!document.hidden && state.jobs.some((j) => !TERMINAL.has(j.state))) renderJobs(); }, POLL_MS);
}

init();
