// Every request of the dashboard goes through this module: it sends the bearer token kept in
// sessionStorage (never in a URL), turns problem+json answers into ApiError, and reports a 401 to
// whoever registered with onUnauthorized (the login view). Streams (events, log follow) are read
// with fetch() too, not EventSource, so the same header goes with them.

const TOKEN_KEY = 'nightshift.token';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || (status ? `the coordinator answered HTTP ${status}` : 'the coordinator is unreachable'));
    this.status = status;
    this.problem = problem;
  }

  /** Every problem of a 400, as "path: message" sentences; else the detail. */
  get text() {
    const ps = this.problem?.problems;
    if (Array.isArray(ps) && ps.length) return ps.map((p) => `${p.path || '/'}: ${p.message}`).join('; ');
    return this.message;
  }
}

let unauthorized = () => {};

/** Called with the failing ApiError when the coordinator answers 401. */
export function onUnauthorized(fn) {
  unauthorized = fn;
}

export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function setToken(value) {
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the token lives as long as this page
  }
}

function headers(extra) {
  const h = { ...extra };
  const t = token();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

/** fetch() with the token; resolves to the Response of a 2xx, else throws ApiError (and reports a 401). */
export async function request(path, { method = 'GET', accept = 'application/json', signal, body, extraHeaders } = {}) {
  let res;
  try {
    res = await fetch(path, { method, signal, body, headers: headers({ Accept: accept, ...extraHeaders }) });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, null);
  }
  if (res.ok) return res;
  const type = res.headers.get('Content-Type') || '';
  const problem = type.includes('json') ? await res.json().catch(() => null) : { detail: await res.text().catch(() => '') || undefined };
  const err = new ApiError(res.status, problem);
  if (res.status === 401) unauthorized(err);
  throw err;
}

/** GET (or another method) answering JSON; 204 gives null. */
export async function json(path, options = {}) {
  const res = await request(path, options);
  if (res.status === 204) return null;
  return res.json();
}

/**
 * Follows /v1/events (server-sent events) through fetch, resuming with Last-Event-ID after a break.
 * onEvent(kind, data, id) per event; onStatus('live' | 'reconnecting' | 'stopped'). Returns stop().
 */
export function followEvents(onEvent, onStatus) {
  let lastId = null;
  let stopped = false;
  let abort = null;
  let delay = 500;

  async function connect() {
    while (!stopped) {
      abort = new AbortController();
      try {
        const res = await request('/v1/events', {
          accept: 'text/event-stream',
          signal: abort.signal,
          extraHeaders: lastId ? { 'Last-Event-ID': lastId } : {},
        });
        onStatus('live');
        delay = 500;
        const reader = res.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const ev = parseBlock(block);
            if (!ev) continue;
            if (ev.id) lastId = ev.id;
            let data = null;
            try {
              data = JSON.parse(ev.data);
            } catch {
              continue;
            }
            onEvent(ev.event || 'message', data, ev.id);
          }
        }
      } catch (e) {
        if (stopped || e.name === 'AbortError') break;
        if (e.status === 401) {
          onStatus('stopped');
          return;
        }
      }
      if (stopped) break;
      onStatus('reconnecting');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
    onStatus('stopped');
  }

  connect();
  return () => {
    stopped = true;
    if (abort) abort.abort();
  };
}

function parseBlock(block) {
  const ev = { data: '' };
  let any = false;
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'data') ev.data += (ev.data ? '\n' : '') + value;
    else if (field === 'id' || field === 'event') ev[field] = value;
    any = true;
  }
  return any && ev.data ? ev : null;
}

/**
 * Reads a text stream (a log, followed or not) chunk by chunk: onText(text) per chunk.
 * Resolves when the stream ends; rejects with ApiError on an error answer.
 */
export async function readText(path, signal, onText) {
  const res = await request(path, { accept: 'text/plain', signal });
  if (!res.body) {
    onText(await res.text());
    return;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
  onText(decoder.decode());
}
