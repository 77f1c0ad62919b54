// Accounts in the operator console: users (admins only: create, re-role, disable) and API tokens
// (everyone signed in manages their own, admins all: issue with the secret shown once, revoke).
import { $, el, formatTime } from './util.js';
import { hasRole, reason, send } from './session.js';

const ROLES = ['viewer', 'operator', 'admin'];

function say(id, text, ok) {
  const node = $(id);
  node.textContent = text;
  node.className = 'form-status ' + (ok ? 'form-ok' : 'form-error');
}

async function loadUsers() {
  const res = await fetch('/api/settings/users');
  if (!res.ok) return;
  const rows = $('user-rows');
  rows.replaceChildren();
  (await res.json()).users.forEach((u) => rows.append(userRow(u)));
}

function userRow(u) {
  const tr = el('tr', { 'data-user-id': u.id });
  const role = el('select', { 'aria-label': 'Role of ' + u.email });
  ROLES.forEach((r) => role.append(el('option', { value: r }, r)));
  role.value = u.role;
  role.addEventListener('change', () => updateUser(u, { role: role.value }));
  const roleCell = el('td');
  roleCell.append(role);
  const toggle = el('button', { type: 'button', class: 'small', 'aria-label': (u.disabled ? 'Enable ' : 'Disable ') + u.email },
    u.disabled ? 'Enable' : 'Disable');
  toggle.addEventListener('click', () => updateUser(u, { disabled: !u.disabled }));
  const actions = el('td');
  actions.append(toggle);
  tr.append(el('td', {}, u.email), roleCell, el('td', {}, u.disabled ? 'disabled' : 'active'), actions);
  return tr;
}

async function updateUser(u, change) {
  const answer = await send('PATCH', '/api/settings/users/' + encodeURIComponent(u.id), change);
  if (answer.ok) say('user-status', 'Updated ' + u.email + '.', true);
  else say('user-status', 'Not updated: ' + reason(answer), false);
  loadUsers();
}

async function createUser(e) {
  e.preventDefault();
  const email = $('user-email').value.trim();
  const answer = await send('POST', '/api/settings/users',
    { email, password: $('user-password').value, role: $('user-role').value });
  if (!answer.ok) {
    say('user-status', 'Not created: ' + reason(answer), false);
    return;
  }
  $('user-form').reset();
  say('user-status', 'Created ' + email + '.', true);
  loadUsers();
}

async function loadTokens() {
  const res = await fetch('/api/settings/tokens');
  if (!res.ok) return;
  const rows = $('token-rows');
  rows.replaceChildren();
  (await res.json()).tokens.forEach((t) => rows.append(tokenRow(t)));
}

function tokenRow(t) {
  const tr = el('tr', { 'data-token-id': t.id });
  const actions = el('td');
  if (!t.revokedAt) {
    const revoke = el('button', { type: 'button', class: 'small danger', 'aria-label': 'Revoke ' + t.name }, 'Revoke');
    revoke.addEventListener('click', () => revokeToken(t));
    actions.append(revoke);
  }
  tr.append(el('td', {}, t.name), el('td', {}, t.role), el('td', {}, t.owner || '—'),
    el('td', {}, t.expiresAt ? formatTime(t.expiresAt) : 'never'),
    el('td', {}, t.revokedAt ? 'revoked' : 'active'), actions);
  return tr;
}

async function revokeToken(t) {
  const answer = await send('DELETE', '/api/settings/tokens/' + encodeURIComponent(t.id));
  if (answer.ok) say('token-status', 'Revoked ' + t.name + '.', true);
  else say('token-status', 'Not revoked: ' + reason(answer), false);
  loadTokens();
}

async function issueToken(e) {
  e.preventDefault();
  const body = { name: $('token-name').value.trim(), role: $('token-role').value };
  const days = $('token-days').value;
  if (days) body.expiresInDays = Number(days);
  const answer = await send('POST', '/api/settings/tokens', body);
  if (!answer.ok) {
    say('token-status', 'Not issued: ' + reason(answer), false);
    return;
  }
  $('token-form').reset();
  say('token-status', 'Issued ' + answer.body.name + '.', true);
  $('token-secret-value').value = answer.body.token;
  $('token-copy-status').textContent = '';
  $('token-secret').hidden = false;
  $('token-secret-value').focus();
  $('token-secret-value').select();
  loadTokens();
}

async function copySecret() {
  const value = $('token-secret-value').value;
  try {
    await navigator.clipboard.writeText(value);
    $('token-copy-status').textContent = 'Copied.';
  } catch {
    // no clipboard permission (an insecure origin, say): the selection lets the user copy it
    $('token-secret-value').select();
    $('token-copy-status').textContent = 'Press Ctrl+C (or ⌘C) to copy the selected token.';
  }
}

/** The roles a caller may give a token: at most its own. */
function offerTokenRoles() {
  Array.from($('token-role').options).forEach((o) => { o.hidden = o.disabled = !hasRole(o.value); });
  $('token-role').value = 'viewer';
}

export function startAccounts() {
  $('user-form').addEventListener('submit', createUser);
  $('token-form').addEventListener('submit', issueToken);
  $('token-copy').addEventListener('click', copySecret);
  document.addEventListener('marketplace:session', (e) => {
    // a secret is never left on screen for whoever signs in next
    $('token-secret').hidden = true;
    $('token-secret-value').value = '';
    if (!e.detail.authenticated) return;
    offerTokenRoles();
    loadTokens();
    if (hasRole('admin')) loadUsers();
  });
}
