// The operator console's registries: their sync state, connect / edit / enable / disable / remove,
// and rebuilds followed live over the progress stream. Registry data reaches the page through
// textContent only. Registry commands are applied by a worker after the API accepts them, so the
// console follows the registry list until the change shows, then tells the catalog to refresh
// ('marketplace:catalog-changed') instead of reloading the page.
import { $, el, formatTime } from './util.js';
import { hasRole, reason, send } from './session.js';
import { followRebuild } from './rebuild.js';

const FOLLOW_INTERVAL_MS = 1000;
const FOLLOW_LIMIT_MS = 60000;
let registries = [];
let editing = null;

export function catalogChanged() {
  document.dispatchEvent(new CustomEvent('marketplace:catalog-changed'));
}

function say(text) {
  $('registry-status').textContent = text;
}

export async function loadRegistries() {
  const res = await fetch('/api/settings/registries', { headers: { Accept: 'application/json' } });
  if (!res.ok) {
    say('Could not load the registries: HTTP ' + res.status);
    return registries;
  }
  registries = (await res.json()).data;
  render();
  return registries;
}

function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
}

function statusText(r) {
  if (!r.enabled) return 'disabled';
  const last = r.lastSyncStatus ? ' (last: ' + r.lastSyncStatus + ')' : '';
  return (r.syncStatus || 'never synced') + last;
}

function render() {
  const rows = $('registry-rows');
  const selected = new Set(selectedIds());
  rows.replaceChildren();
  if (!registries.length) {
    const tr = el('tr');
    tr.append(el('td', { colspan: 8 }, 'No registries connected yet: connect one below.'));
    rows.append(tr);
  }
  registries.forEach((r) => rows.append(row(r, selected.has(r.id))));
  updateSelection();
}

function row(r, checked) {
  const tr = el('tr', { 'data-registry-id': r.id, class: r.enabled ? '' : 'disabled' });
  const box = el('input', { type: 'checkbox', class: 'select', value: r.id, 'aria-label': 'Select ' + r.name });
  box.checked = checked;
  box.disabled = !r.enabled;
  box.addEventListener('change', updateSelection);
  const name = el('td', { class: 'name' });
  name.append(el('strong', {}, r.name), el('span', { class: 'url' }, r.url));
  const failing = r.consecutiveFailures > 0 || r.lastSyncStatus === 'failed';
  const status = el('td', { class: 'state' }, null);
  status.append(el('span', { class: 'state-badge ' + (failing ? 'state-failed' : r.enabled ? 'state-ok' : 'state-off') },
    statusText(r)));
  const errors = el('td', { class: 'errors' });
  if (r.lastError) {
    errors.append(el('span', { class: 'error-text' }, r.lastError));
    if (r.consecutiveFailures > 1) errors.append(el('span', { class: 'muted' }, ' (' + r.consecutiveFailures + ' failures in a row)'));
  } else {
    errors.textContent = 'none';
  }
  const actions = el('td', { class: 'row-actions' });
  actions.append(
    button('Edit', 'edit', r, () => startEdit(r)),
    button(r.enabled ? 'Disable' : 'Enable', 'toggle', r, () => setEnabled(r, !r.enabled)),
    button('Remove', 'remove danger', r, () => confirmRemove(r)));
  const select = el('td');
  select.append(box);
  tr.append(select, name, status, el('td', {}, formatTime(r.lastSuccessAt)), el('td', { class: 'num' }, r.recordCount),
    el('td', { class: 'num' }, duration(r.lastDurationMs)), errors, actions);
  return tr;
}

function button(text, cls, r, onClick) {
  const b = el('button', { type: 'button', class: 'small ' + cls, 'aria-label': text + ' ' + r.name }, text);
  b.addEventListener('click', onClick);
  return b;
}

function selectedIds() {
  return Array.from(document.querySelectorAll('#registry-rows input.select:checked')).map((b) => b.value);
}

function updateSelection() {
  const n = selectedIds().length;
  $('rebuild-selected').disabled = n === 0;
  $('rebuild-selected').textContent = n ? 'Rebuild selected (' + n + ')' : 'Rebuild selected';
}

/** Follows the registry list until done(list) holds (true) or a minute passes (false). */
async function watchList(done) {
  const deadline = Date.now() + FOLLOW_LIMIT_MS;
  while (Date.now() < deadline) {
    const list = await loadRegistries();
    if (done(list)) return true;
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_INTERVAL_MS));
  }
  return false;
}

/** Follows the registry list until the worker has applied a command (or a minute passes). */
async function followUntil(what, done) {
  if (await watchList(done)) return true;
  say(what + ': not applied yet after a minute; the list refreshes on its next change.');
  return false;
}

/**
 * A command that syncs the registry (connect, edit, enable) was applied: the catalog refreshes now
 * (new name, state) and again once that sync has ended, when its agents are in the index; a sync
 * is known by an attempt newer than the one before the command.
 */
async function refreshAfterSync(id, attemptBefore) {
  catalogChanged();
  const ended = await watchList((list) => list.some((x) => x.id === id && x.lastAttemptAt
    && x.lastAttemptAt !== attemptBefore && x.syncStatus !== 'syncing'));
  if (ended) catalogChanged();
}

async function setEnabled(r, enabled) {
  const verb = enabled ? 'Enabling' : 'Disabling';
  say(verb + ' ' + r.name + '…');
  const answer = await send('PATCH', '/api/settings/registries', { id: r.id, enabled });
  if (!answer.ok) {
    say(verb + ' ' + r.name + ' was refused: ' + reason(answer));
    return;
  }
  if (await followUntil(verb + ' ' + r.name, (list) => list.some((x) => x.id === r.id && x.enabled === enabled))) {
    say(r.name + (enabled ? ' is enabled: its agents come back as it syncs.' : ' is disabled: its agents left the catalog.'));
    if (enabled) await refreshAfterSync(r.id, r.lastAttemptAt);
    else catalogChanged();
  }
}

function confirmRemove(r) {
  const dialog = $('confirm-dialog');
  const agents = r.recordCount === 1 ? '1 agent' : r.recordCount + ' agents';
  $('confirm-title').textContent = 'Remove ' + r.name + '?';
  $('confirm-text').textContent = 'Removing ' + r.name + ' takes its ' + agents + ' out of the catalog. This cannot be undone.';
  $('confirm-ok').textContent = 'Remove ' + agents;
  dialog.returnValue = '';
  dialog.addEventListener('close', async () => {
    if (dialog.returnValue === 'ok') await remove(r);
  }, { once: true });
  dialog.showModal();
  $('confirm-cancel').focus();
}

async function remove(r) {
  say('Removing ' + r.name + '…');
  const answer = await send('DELETE', '/api/settings/registries?id=' + encodeURIComponent(r.id));
  if (!answer.ok) {
    say('Removing ' + r.name + ' was refused: ' + reason(answer));
    return;
  }
  if (await followUntil('Removing ' + r.name, (list) => !list.some((x) => x.id === r.id))) {
    say(r.name + ' is removed.');
    catalogChanged();
  }
}

function startEdit(r) {
  editing = r;
  $('registry-form-title').textContent = 'Edit ' + r.name;
  $('registry-name').value = r.name;
  $('registry-url').value = r.url;
  $('registry-token').value = '';
  $('registry-token-hint').textContent = r.hasAuthToken
    ? 'A token is set: leave this empty to keep it.' : 'Optional. Sent to the registry only; never shown again.';
  $('registry-submit').textContent = 'Save';
  $('registry-cancel').hidden = false;
  $('registry-form-status').textContent = '';
  $('registry-name').focus();
}

function endEdit() {
  editing = null;
  $('registry-form').reset();
  $('registry-form-title').textContent = 'Connect a registry';
  $('registry-token-hint').textContent = 'Optional. Sent to the registry only; never shown again.';
  $('registry-submit').textContent = 'Connect';
  $('registry-cancel').hidden = true;
}

async function submitRegistry(e) {
  e.preventDefault();
  const name = $('registry-name').value.trim();
  const url = $('registry-url').value.trim();
  const token = $('registry-token').value;
  const status = $('registry-form-status');
  status.className = 'form-status';
  if (!name || !url) {
    status.textContent = 'Give the registry a name and its URL.';
    status.classList.add('form-error');
    return;
  }
  const body = { name, url };
  if (token) body.authToken = token;
  const target = editing;
  const attemptBefore = target ? target.lastAttemptAt : null;
  status.textContent = 'Checking ' + url + ' (health probe)…';
  $('registry-submit').disabled = true;
  try {
    const answer = target
      ? await send('PATCH', '/api/settings/registries/' + encodeURIComponent(target.id), body)
      : await send('POST', '/api/settings/registries', body);
    if (!answer.ok) {
      status.textContent = (target ? 'Not saved: ' : 'Not connected: ') + reason(answer);
      status.classList.add('form-error');
      return;
    }
    status.textContent = target
      ? 'Saved ' + name + ': the health probe answered; the registry re-syncs with its new settings.'
      : 'Connected ' + name + ': the health probe answered; its first sync is on its way.';
    status.classList.add('form-ok');
    endEdit();
    const id = answer.body.id;
    if (await followUntil((target ? 'Saving ' : 'Connecting ') + name, (list) => list.some((x) => x.id === id && x.name === name))) {
      // not awaited: the form is free again while the sync runs
      refreshAfterSync(id, attemptBefore).catch((err) => say('Could not follow the sync of ' + name + ': ' + err.message));
    }
  } finally {
    $('registry-submit').disabled = false;
  }
}

async function rebuild(ids) {
  const answer = await send('POST', '/api/marketplace/index-rebuild', ids ? { registryIds: ids } : undefined);
  if (!answer.ok) {
    $('rebuild').hidden = false;
    $('rebuild-progress').replaceChildren();
    $('rebuild-result').textContent = 'Rebuild refused: ' + reason(answer);
    return;
  }
  followRebuild(answer.body, () => {
    loadRegistries();
    catalogChanged();
  });
}

export function startRegistries() {
  $('registry-form').addEventListener('submit', submitRegistry);
  $('registry-cancel').addEventListener('click', () => { endEdit(); $('registry-name').focus(); });
  $('rebuild-all').addEventListener('click', () => rebuild(null));
  $('rebuild-selected').addEventListener('click', () => rebuild(selectedIds()));
  // announced right after this start, and after every sign-in
  document.addEventListener('marketplace:session', () => { if (hasRole('operator')) loadRegistries(); });
}
