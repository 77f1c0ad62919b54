// A rebuild followed live: one line per registry (queued, syncing, done or failed, with its counts or
// its error) from the progress stream's 'registry' events, and the outcome once 'end' arrives. The
// stream is same-origin, so EventSource sends the session cookie. Should the stream break, the
// progress is asked for instead, until every registry has an outcome.
import { $, el } from './util.js';

const POLL_MS = 1500;
let current = null;

const LABELS = { queued: 'queued', syncing: 'syncing', ok: 'done', unchanged: 'done', failed: 'failed' };

function label(status) {
  return LABELS[status] || status;
}

function countsText(counts) {
  if (!counts || typeof counts !== 'object') return '';
  const parts = [];
  for (const key of ['listed', 'added', 'updated', 'removed', 'unchanged', 'failed']) {
    if (typeof counts[key] === 'number') parts.push(counts[key] + ' ' + key);
  }
  return parts.join(', ');
}

function errorText(error) {
  if (!error) return '';
  return typeof error === 'string' ? error : (error.message || JSON.stringify(error));
}

/** The progress answer carries a line's detail as JSON text; the stream's events carry its fields. */
function parsed(detail) {
  if (!detail) return {};
  if (typeof detail === 'object') return detail;
  try {
    return JSON.parse(detail) || {};
  } catch {
    return {};
  }
}

function line(registry) {
  const list = $('rebuild-progress');
  let li = list.querySelector('li[data-registry-id="' + CSS.escape(String(registry.registryId)) + '"]');
  if (!li) {
    li = el('li', { 'data-registry-id': registry.registryId });
    li.append(el('span', { class: 'reg-name' }), el('span', { class: 'reg-state' }), el('span', { class: 'reg-detail' }));
    list.append(li);
  }
  return li;
}

function show(registry) {
  const li = line(registry);
  const state = label(registry.status);
  li.className = 'progress-line progress-' + state;
  li.dataset.status = state;
  li.querySelector('.reg-name').textContent = registry.name || registry.registryId;
  li.querySelector('.reg-state').textContent = state;
  const extra = parsed(registry.detail);
  const error = registry.error || extra.error;
  li.querySelector('.reg-detail').textContent = error ? errorText(error) : countsText(registry.counts || extra.counts);
}

function finish(summary, onEnd) {
  const failed = summary.failed || 0;
  const done = (summary.finished || 0) - failed;
  $('rebuild-result').textContent = 'Rebuild finished: ' + done + ' done, ' + failed + ' failed of '
    + summary.total + (summary.total === 1 ? ' registry.' : ' registries.');
  $('rebuild').setAttribute('aria-busy', 'false');
  onEnd();
}

async function poll(rebuildId, followed, onEnd) {
  while (current === followed) {
    const res = await fetch('/api/marketplace/index-rebuild/' + encodeURIComponent(rebuildId));
    if (res.ok) {
      const progress = await res.json();
      progress.registries.forEach(show);
      if (progress.total > 0 && progress.finished === progress.total) {
        finish(progress, onEnd);
        return;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Shows a rebuild the API accepted (its answer) and follows it to its end; onEnd runs once then. */
export function followRebuild(accepted, onEnd) {
  if (current) current.close(); // a newer rebuild replaces the one followed
  $('rebuild').hidden = false;
  $('rebuild').setAttribute('aria-busy', 'true');
  $('rebuild-progress').replaceChildren();
  const ids = accepted.registries || [];
  $('rebuild-result').textContent = 'Rebuild ' + accepted.rebuildId + ' accepted for ' + ids.length
    + (ids.length === 1 ? ' registry.' : ' registries.');
  const lines = (accepted.progress && accepted.progress.registries) || ids.map((id) => ({ registryId: id, status: 'queued' }));
  lines.forEach(show);

  // The server ends the stream after 'end' (or 'timeout'); the page closes its side only then, in
  // the 'error' that follows, since closing first would cut a response still being written.
  const stream = new EventSource(accepted.links.events);
  current = stream;
  let outcome = null;
  stream.addEventListener('registry', (e) => show(JSON.parse(e.data)));
  stream.addEventListener('end', (e) => {
    outcome = 'end';
    current = null;
    finish(JSON.parse(e.data), onEnd);
  });
  stream.addEventListener('timeout', () => {
    outcome = 'timeout';
    $('rebuild-result').textContent = 'The progress stream timed out; asking for the progress instead.';
  });
  stream.addEventListener('error', () => {
    stream.close();
    if (outcome === 'end' || current !== stream) return;
    poll(accepted.rebuildId, stream, onEnd);
  });
}
