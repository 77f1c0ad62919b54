// The operator panel of the page: sign-in, the registries table and a rebuild. The catalog and the
// agent detail are main.js's; a sign-in is announced to them with a 'marketplace:signed-in' event
// (a catalog that is not public needs one before it answers).
(() => {
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  // Operator panel. A signed-in session sends its CSRF token with every state-changing request: the
  // server hands it out with the sign-in answer and with /api/auth/me, and keeps it in the session.
  let csrfToken = null;
  function changing(method) {
    const headers = {};
    if (csrfToken) headers['X-CSRF-TOKEN'] = csrfToken;
    return { method, headers };
  }

  async function whoAmI() {
    const res = await fetch('/api/auth/me');
    const me = await res.json();
    csrfToken = me.csrfToken || null;
    $('operator-panel').hidden = !me.authenticated;
    // a form already opened (by the user, or by a private catalog asking for a sign-in) stays open
    if (me.authenticated) $('login-form').hidden = true;
    $('show-login').hidden = !!me.authenticated || !$('login-form').hidden;
    $('registries').hidden = !me.authenticated;
    if (me.authenticated) {
      $('operator-user').textContent = me.user;
      loadRegistries();
    }
  }

  async function loadRegistries() {
    const res = await fetch('/api/settings/registries');
    if (!res.ok) return;
    const body = await res.json();
    const rows = $('registry-rows');
    rows.replaceChildren();
    body.data.forEach((r) => {
      const tr = el('tr');
      [r.name, r.url, r.syncStatus + (r.lastSyncStatus ? ' (' + r.lastSyncStatus + ')' : ''), r.recordCount,
        r.lastSyncAt || '—', r.lastError || ''].forEach((v) => tr.append(el('td', {}, v)));
      rows.append(tr);
    });
  }

  $('show-login').addEventListener('click', () => { $('login-form').hidden = false; $('show-login').hidden = true; });
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
    await whoAmI();
    document.dispatchEvent(new CustomEvent('marketplace:signed-in'));
  });
  $('logout-button').addEventListener('click', async () => {
    await fetch('/api/auth/logout', changing('POST'));
    whoAmI();
  });
  $('rebuild-button').addEventListener('click', async () => {
    const res = await fetch('/api/marketplace/index-rebuild', changing('POST'));
    const body = await res.json();
    $('operator-status').textContent = res.ok
      ? `Rebuild ${body.rebuildId} requested for ${body.registries.length} registries`
      : 'Rebuild failed: ' + body.error;
    setTimeout(loadRegistries, 2000);
  });

  whoAmI().catch(() => {});
})();
