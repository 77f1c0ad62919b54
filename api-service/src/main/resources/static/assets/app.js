// Sign-in and sign-out, and the operator console after a sign-in. What the console offers follows
// the role /api/auth/me answers, so that no one is offered an action the API would refuse. A sign-in
// is announced with a 'marketplace:signed-in' event (a catalog that is not public needs one).
import { $ } from './util.js';
import { hasRole, remember, changing } from './session.js';
import { startRegistries } from './registries.js';
import { startAccounts } from './accounts.js';

let consoleStarted = false;

async function whoAmI() {
  const res = await fetch('/api/auth/me');
  const me = await res.json();
  remember(me);
  $('operator-panel').hidden = !me.authenticated;
  // a form already opened (by the user, or by a private catalog asking for a sign-in) stays open
  if (me.authenticated) $('login-form').hidden = true;
  $('show-login').hidden = !!me.authenticated || !$('login-form').hidden;
  $('operator-user').textContent = me.authenticated ? me.user + ' (' + me.role + ')' : '';
  showConsole(me);
}

function showConsole(me) {
  const panel = $('console');
  if (!panel) return; // the agent detail has no console
  panel.hidden = !me.authenticated;
  $('registries').hidden = !hasRole('operator');
  $('users').hidden = !hasRole('admin');
  $('tokens').hidden = !me.authenticated;
  if (me.authenticated && !consoleStarted) {
    consoleStarted = true;
    startRegistries();
    startAccounts();
  }
  document.dispatchEvent(new CustomEvent('marketplace:session', { detail: me }));
}

$('show-login').addEventListener('click', () => {
  $('login-form').hidden = false;
  $('show-login').hidden = true;
  $('login-email').focus();
});
$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const res = await fetch('/api/auth/login', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: $('login-email').value, password: $('login-password').value }),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    $('error').textContent = 'Sign-in failed: ' + (body.error || res.status);
    $('error').hidden = false;
    return;
  }
  $('error').hidden = true;
  $('login-password').value = '';
  await whoAmI();
  document.dispatchEvent(new CustomEvent('marketplace:signed-in'));
});
$('logout-button').addEventListener('click', async () => {
  await fetch('/api/auth/logout', changing('POST'));
  await whoAmI();
  $('show-login').focus();
});

whoAmI().catch((e) => {
  $('error').textContent = 'Could not ask who is signed in: ' + e.message;
  $('error').hidden = false;
});
