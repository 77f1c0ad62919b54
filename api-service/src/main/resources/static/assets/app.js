// The catalog page: server-driven search, tag filters, sort and infinite scroll over
// GET /api/marketplace (cursor paging), plus a small operator panel.
(() => {
  const PAGE = 48;
  const state = { q: '', sort: 'name', tags: new Set(), cursor: null, loading: false, done: false, seq: 0 };
  const $ = (id) => document.getElementById(id);
  const grid = $('grid');

  function el(tag, attrs = {}, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function card(agent) {
    const li = el('li', { class: 'card', 'data-handle': agent.handle });
    li.append(el('h3', {}, agent.name || agent.handle));
    li.append(el('div', { class: 'handle' }, agent.handle));
    if (agent.description) li.append(el('p', {}, agent.description));
    const meta = [agent.author, agent.version && 'v' + agent.version, agent.registryName].filter(Boolean).join(' · ');
    if (meta) li.append(el('div', { class: 'meta' }, meta));
    if (Array.isArray(agent.tags) && agent.tags.length) {
      const chips = el('div', { class: 'chips' });
      agent.tags.slice(0, 8).forEach((t) => chips.append(el('span', {}, t)));
      li.append(chips);
    }
    return li;
  }

  function renderTags(tags) {
    const box = $('tags');
    box.replaceChildren();
    tags.forEach((t) => {
      const b = el('button', { class: 'tag', type: 'button', 'aria-pressed': String(state.tags.has(t)) }, t);
      b.addEventListener('click', () => {
        state.tags.has(t) ? state.tags.delete(t) : state.tags.add(t);
        reset();
      });
      box.append(b);
    });
  }

  async function load() {
    if (state.loading || state.done) return;
    state.loading = true;
    const seq = state.seq;
    const params = new URLSearchParams({ limit: String(PAGE), sort: state.sort });
    if (state.q) params.set('q', state.q);
    if (state.tags.size) params.set('tags', [...state.tags].join(','));
    if (state.cursor) params.set('cursor', state.cursor);
    try {
      const res = await fetch('/api/marketplace?' + params, { headers: { Accept: 'application/json' } });
      const body = await res.json();
      if (seq !== state.seq) return; // a newer search replaced this one
      if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
      $('error').hidden = true;
      body.data.forEach((a) => grid.append(card(a)));
      state.cursor = body.meta.nextCursor || null;
      state.done = !state.cursor;
      renderTags(body.meta.tags || []);
      const shown = grid.children.length;
      $('status').textContent = `${shown} of ${body.total}${body.meta.totalExact === false ? ' (about)' : ''} agents`
        + ` from ${body.meta.registries} registries`;
      $('load-more').hidden = state.done;
    } catch (e) {
      if (seq !== state.seq) return;
      $('error').textContent = 'Could not load the catalog: ' + e.message;
      $('error').hidden = false;
    } finally {
      if (seq === state.seq) state.loading = false;
    }
  }

  function reset() {
    state.seq++;
    state.cursor = null;
    state.done = false;
    state.loading = false;
    grid.replaceChildren();
    load();
  }

  let debounce;
  $('search').addEventListener('input', (e) => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { state.q = e.target.value.trim(); reset(); }, 250);
  });
  $('sort').addEventListener('change', (e) => { state.sort = e.target.value; reset(); });
  $('load-more').addEventListener('click', load);
  new IntersectionObserver((entries) => {
    if (entries.some((x) => x.isIntersecting)) load();
  }).observe($('sentinel'));

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
    $('show-login').hidden = !!me.authenticated;
    $('login-form').hidden = true;
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
    whoAmI();
  });
  $('logout-button').addEventListener('click', async () => {
    await fetch('/api/auth/logout', changing('POST'));
    whoAmI();
  });
  $('rebuild-button').addEventListener('click', async () => {
    const res = await fetch('/api/marketplace/index-rebuild', changing('POST'));
    const body = await res.json();
    $('status').textContent = res.ok
      ? `Rebuild ${body.rebuildId} requested for ${body.registries.length} registries`
      : 'Rebuild failed: ' + body.error;
    setTimeout(loadRegistries, 2000);
  });

  whoAmI().catch(() => {});
  load();
})();
