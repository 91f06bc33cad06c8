// DOM and text helpers. Safety rule: text from the API (names, labels, ids, messages, logs) only
// ever enters the page as text nodes (el()/textContent), never as HTML.

export const $ = (id) => document.getElementById(id);

/** Creates an element: attrs are attributes (class, on:click handlers as onclick), children nodes or text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

export const JOB_STATES = new Set(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'KILLED']);
export const TASK_STATES = new Set(['PENDING', 'STAGING', 'FETCHING', 'RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'LOST', 'REVOKED']);
export const AGENT_STATES = new Set(['ACTIVE', 'DISCONNECTED', 'LOST']);
export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'KILLED']);

/** A state badge; its class comes from a fixed list, never from the raw value. */
export function badge(value, known) {
  const cls = known.has(value) ? `st-${value.toLowerCase()}` : 'st-unknown';
  return el('span', { class: `badge ${cls}` }, value ?? 'unknown');
}

/** A horizontal bar of used/total with an optional marker (e.g. the fair share), both fractions in [0, 1]. */
export function bar(fraction, label, marker, markerLabel) {
  const pct = Math.max(0, Math.min(100, 100 * (fraction || 0)));
  const fill = el('div', { class: `fill ${pct >= 90 ? 'hot' : pct >= 70 ? 'warm' : ''}` });
  fill.style.width = `${pct.toFixed(1)}%`;
  const track = el('div', { class: 'bar', role: 'img', 'aria-label': label }, fill);
  if (marker !== undefined && marker !== null) {
    const m = el('div', { class: 'marker', title: markerLabel || '' });
    m.style.left = `${Math.max(0, Math.min(100, 100 * marker)).toFixed(1)}%`;
    track.append(m);
  }
  return el('div', { class: 'bar-cell' }, track, el('span', { class: 'small' }, label));
}

// ---------------------------------------------------------------- text

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}

/** 42 seconds, 5 minutes 3 seconds, 2 hours 10 minutes, 3 days 4 hours. */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return plural(s, 'second');
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${plural(m, 'minute')} ${plural(s % 60, 'second')}` : plural(m, 'minute');
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${plural(h, 'hour')} ${plural(m % 60, 'minute')}` : plural(h, 'hour');
  const d = Math.floor(h / 24);
  return h % 24 ? `${plural(d, 'day')} ${plural(h % 24, 'hour')}` : plural(d, 'day');
}

/** Short form for table cells: 42s, 5m 3s, 2h 10m. */
export function fmtShortDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function between(fromIso, toIso) {
  if (!fromIso) return null;
  return (toIso ? Date.parse(toIso) : Date.now()) - Date.parse(fromIso);
}

export function ago(iso) {
  const ms = between(iso, null);
  return ms === null ? 'never' : `${fmtDuration(Math.max(0, ms))} ago`;
}

export function fmtMem(mb) {
  if (mb === undefined || mb === null) return '0 MiB';
  return mb >= 1024 ? `${(mb / 1024).toFixed(mb % 1024 === 0 ? 0 : 1)} GiB` : `${mb} MiB`;
}

export function fmtCpus(c) {
  if (c === undefined || c === null) return '0';
  return Number.isInteger(c) ? String(c) : c.toFixed(2).replace(/0+$/, '').replace(/\.$/, '');
}

export function pct(fraction) {
  return `${Math.round(100 * (fraction || 0))} %`;
}

export function resources(r) {
  if (!r) return '';
  const parts = [`${fmtCpus(r.cpus)} ${r.cpus === 1 ? 'CPU' : 'CPUs'}`, fmtMem(r.memMb)];
  if (r.diskMb) parts.push(`${fmtMem(r.diskMb)} disk`);
  if (r.gpus) parts.push(plural(r.gpus, 'GPU'));
  return parts.join(', ');
}

export const enc = encodeURIComponent;
