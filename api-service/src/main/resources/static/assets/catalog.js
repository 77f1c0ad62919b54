// The catalog: GET /api/marketplace with q, tags, registryUrl and sort, paged with meta.nextCursor
// (infinite scroll and a Load more button; offset pages for sort=relevance, which has no cursor), tag
// facets from /api/marketplace/tags, registries from meta.sources. A search ranks by relevance unless
// the user picks Name or Handle (only a picked sort is in the address); matched words are marked. Every filter lives in the address (?q=&tags=&registryUrl=&verified=&sort=&view=), so a
// view can be shared, reloaded, and walked with back and forward.
import { $, el, getJson, ApiError, formatTime, agentPath, proofBadge, iconElement } from './util.js';
import { wordsOf, appendMarked } from './highlight.js';

const PAGE = 48;
const TAGS_SHOWN = 30;
const SEARCH_DELAY_MS = 300;
// After the operator console changed the registries, how often and how long the catalog is watched
// for the change: each API replica learns a new generation (or registry state) within its poll, and a
// registry enabled again comes back in steps (its state first, its agents when its sync ends).
const FOLLOW_EVERY_MS = 2000;
const FOLLOW_FOR_MS = 60000;

const state = {
  q: '', tags: [], registryUrl: '', verified: false, sort: '', view: 'grid',
  cursor: null, loading: false, done: false, failed: false, seq: 0, shown: 0, tagFacets: [],
};
let observer;
let lastWriteWasTyping = false;

/** The filters in the address; anything unknown falls back to the default. */
function readUrl() {
  const params = new URLSearchParams(location.search);
  state.q = (params.get('q') || '').trim();
  state.tags = (params.get('tags') || '').split(',').map((t) => t.trim()).filter(Boolean);
  state.registryUrl = params.get('registryUrl') || '';
  state.verified = params.get('verified') === 'true';
  state.sort = ['name', 'handle', 'relevance'].includes(params.get('sort')) ? params.get('sort') : '';
  state.view = params.get('view') === 'list' ? 'list' : 'grid';
}

function urlOfState() {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.tags.length) params.set('tags', state.tags.join(','));
  if (state.registryUrl) params.set('registryUrl', state.registryUrl);
  if (state.verified) params.set('verified', 'true');
  if (state.sort) params.set('sort', state.sort);
  if (state.view !== 'grid') params.set('view', state.view);
  const query = params.toString();
  return '/marketplace' + (query ? '?' + query : '');
}

/** Records the new filters in the history: typing refines one entry, any other change adds one. */
function writeUrl(typing) {
  const url = urlOfState();
  if (url === location.pathname + location.search) return;
  if (typing && lastWriteWasTyping) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  lastWriteWasTyping = typing;
}

/** The sort asked for: the one picked, else relevance for a search and name otherwise. */
function sortInUse() {
  if (state.sort === 'relevance' || !state.sort) return state.q ? 'relevance' : 'name';
  return state.sort;
}

function syncControls() {
  if ($('search').value.trim() !== state.q) $('search').value = state.q;
  $('sort-relevance').disabled = !state.q;
  $('sort').value = sortInUse();
  $('verified').checked = state.verified;
  $('view-grid').setAttribute('aria-pressed', String(state.view === 'grid'));
  $('view-list').setAttribute('aria-pressed', String(state.view === 'list'));
  $('grid').className = state.view === 'list' ? 'list' : 'grid';
}

/** The filters as the catalog and the tag facets take them (the facets count under all but tags). */
function filterParams() {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  if (state.tags.length) params.set('tags', state.tags.join(','));
  if (state.registryUrl) params.set('registryUrl', state.registryUrl);
  if (state.verified) params.set('verified', 'true');
  return params;
}

function card(agent, words) {
  const li = el('li', { class: 'card', 'data-registry-id': agent.registryId, 'data-handle': agent.handle });
  const head = el('div', { class: 'card-head' });
  head.append(iconElement(agent.icon, 40, agent.name || agent.handle));
  const title = el('h3');
  title.append(appendMarked(el('a', { href: agentPath(agent.registryId, agent.handle), class: 'card-link' }),
    agent.name || agent.handle, words));
  const names = el('div', { class: 'names' });
  names.append(title, el('div', { class: 'handle' }, agent.handle));
  head.append(names);
  const badge = proofBadge(agent.proof);
  if (badge) head.append(badge);
  li.append(head);
  if (agent.description) li.append(appendMarked(el('p', { class: 'description' }), agent.description, words));
  const meta = [agent.author, agent.version && 'v' + agent.version, agent.registryName].filter(Boolean).join(' · ');
  if (meta) li.append(el('div', { class: 'meta' }, meta));
  if (Array.isArray(agent.tags) && agent.tags.length) {
    const chips = el('ul', { class: 'chips', 'aria-label': 'Tags' });
    agent.tags.slice(0, 8).forEach((t) => chips.append(appendMarked(el('li'), t, words)));
    if (agent.tags.length > 8) chips.append(el('li', { class: 'more-tags' }, '+' + (agent.tags.length - 8)));
    li.append(chips);
  }
  return li;
}

function skeletons() {
  const grid = $('grid');
  grid.replaceChildren();
  grid.setAttribute('aria-busy', 'true');
  for (let i = 0; i < 6; i++) {
    const li = el('li', { class: 'card skeleton', 'aria-hidden': 'true' });
    li.append(el('div', { class: 'bone bone-title' }), el('div', { class: 'bone' }), el('div', { class: 'bone bone-short' }));
    grid.append(li);
  }
}

function renderSources(meta) {
  const sources = Array.isArray(meta.sources) ? meta.sources : [];
  const box = $('registry-pills');
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.registryUrl : undefined;
  box.replaceChildren();
  sources.forEach((s) => {
    const label = s.ok ? `${s.name} · ${s.agentCount} agent${s.agentCount === 1 ? '' : 's'}`
      : `${s.name} · ${s.error || 'failed'}`;
    const pressed = state.registryUrl !== '' && sameRegistry(state.registryUrl, s.url);
    const pill = el('button', {
      type: 'button', class: 'pill' + (s.ok ? '' : ' pill-failed'), 'aria-pressed': String(pressed),
      'data-registry-url': s.url, title: s.url,
    }, label);
    pill.addEventListener('click', () => {
      state.registryUrl = pressed ? '' : s.url;
      changed(false);
    });
    box.append(pill);
    if (s.url === focused) pill.focus();
  });
  const failed = sources.filter((s) => !s.ok);
  const banner = $('banner');
  banner.replaceChildren();
  banner.hidden = failed.length === 0;
  if (failed.length) {
    banner.append(el('strong', {}, failed.length === 1 ? 'A registry failed to sync. ' : failed.length + ' registries failed to sync. '));
    const list = el('ul');
    failed.forEach((s) => list.append(el('li', {}, `${s.name}: ${s.error || 'unknown error'}`)));
    banner.append(list, el('p', {}, 'Their agents show as of their last successful sync.'));
  }
  const mode = meta.catalog === 'db' ? 'from the index' : 'live from the registries (' + meta.catalog + ')';
  $('built').textContent = meta.builtAt ? `Index built ${formatTime(meta.builtAt)} · catalog ${mode}` : `Catalog ${mode}`;
}

function sameRegistry(a, b) {
  return String(a).replace(/\/+$/, '').toLowerCase() === String(b).replace(/\/+$/, '').toLowerCase();
}

function renderEmpty(meta) {
  const empty = $('empty');
  const noRegistries = !meta || !Array.isArray(meta.sources) || meta.sources.length === 0;
  const filtered = state.q || state.tags.length || state.registryUrl || state.verified;
  empty.hidden = false;
  $('clear-filters').hidden = !filtered;
  if (filtered) {
    $('empty-title').textContent = 'No agents match';
    $('empty-text').textContent = 'Nothing in the catalog matches these filters. Try fewer tags or another search.';
  } else if (noRegistries) {
    $('empty-title').textContent = 'No registries connected';
    $('empty-text').textContent = 'Once an operator connects a registry and it is indexed, its agents show here.';
  } else {
    $('empty-title').textContent = 'No agents yet';
    $('empty-text').textContent = 'The connected registries have not listed any agent yet.';
  }
}

async function loadPage() {
  if (state.loading || state.done) return;
  state.loading = true;
  const seq = state.seq;
  const first = state.cursor === null && state.shown === 0;
  const params = filterParams();
  params.set('limit', String(PAGE));
  const sort = sortInUse();
  params.set('sort', sort);
  if (state.cursor) params.set('cursor', state.cursor);
  if (sort === 'relevance' && !first) params.set('offset', String(state.shown));
  $('load-more').disabled = true;
  try {
    const body = await getJson('/api/marketplace?' + params, {
      onWait: (s) => { if (seq === state.seq) $('status').textContent = `The catalog is busy; asking again in ${s} s…`; },
      isStale: () => seq !== state.seq,
    });
    if (seq !== state.seq) return; // a newer filter replaced this one
    $('error').hidden = true;
    const grid = $('grid');
    if (first) {
      grid.replaceChildren();
      renderSources(body.meta);
    }
    grid.setAttribute('aria-busy', 'false');
    const words = wordsOf(state.q);
    body.data.forEach((a) => grid.append(card(a, words)));
    state.shown += body.data.length;
    state.cursor = body.meta.nextCursor || null;
    // relevance pages by offset: the next page starts after what is shown
    state.done = sort === 'relevance' ? body.data.length < PAGE || state.shown >= body.total : !state.cursor;
    state.failed = false;
    $('load-more').textContent = 'Load more';
    const about = body.meta.totalExact === false ? 'about ' : '';
    $('status').textContent = `Showing ${state.shown} of ${about}${body.total} agent${body.total === 1 ? '' : 's'}`;
    if (state.shown === 0) renderEmpty(body.meta);
    else $('empty').hidden = true;
    $('load-more').hidden = state.done;
  } catch (e) {
    if (seq !== state.seq) return;
    $('grid').setAttribute('aria-busy', 'false');
    if (first) $('grid').replaceChildren();
    // scrolling does not retry a failed page (it would ask again and again); the button does
    state.failed = true;
    $('load-more').hidden = e instanceof ApiError && e.status === 401;
    $('load-more').textContent = 'Try again';
    showLoadError(e);
  } finally {
    if (seq === state.seq) {
      state.loading = false;
      $('load-more').disabled = false;
      // the sentinel may still be in view (a tall screen): observing again reports it at once
      if (!state.done && !state.failed && observer) { observer.unobserve($('sentinel')); observer.observe($('sentinel')); }
    }
  }
}

function showLoadError(e) {
  if (e instanceof ApiError && e.status === 401) {
    $('status').textContent = 'Sign in to see the catalog.';
    $('empty').hidden = false;
    $('empty-title').textContent = 'Sign in to see the catalog';
    $('empty-text').textContent = 'This catalog is private: its agents are shown to signed-in users only.';
    $('clear-filters').hidden = true;
    if (!$('show-login').hidden) $('show-login').click();
    return;
  }
  $('error').textContent = 'Could not load the catalog: ' + e.message;
  $('error').hidden = false;
  $('status').textContent = 'The catalog could not be loaded.';
}

async function loadTags() {
  const seq = state.seq;
  try {
    const params = filterParams();
    // a ranked list holds the agents with the words of q: the counts beside it count those same agents
    if (sortInUse() === 'relevance') params.set('match', 'words');
    const body = await getJson('/api/marketplace/tags?' + params, { isStale: () => seq !== state.seq });
    if (seq !== state.seq) return;
    state.tagFacets = Array.isArray(body.data) ? body.data : [];
    $('tag-search-box').hidden = state.tagFacets.length <= TAGS_SHOWN;
    renderTags();
  } catch (e) {
    if (seq !== state.seq || (e instanceof ApiError && e.status === 401)) return;
    $('tags').replaceChildren(el('p', { class: 'muted' }, 'Tags could not be loaded: ' + e.message));
  }
}

/** The chosen tags first, then the most frequent ones (or those matching the tag search). */
function renderTags() {
  const needle = $('tag-search').value.trim().toLowerCase();
  const counts = new Map(state.tagFacets.map((f) => [f.tag, f.count]));
  const chosen = state.tags.map((t) => ({ tag: t, count: counts.get(t) }));
  const others = state.tagFacets.filter((f) => !state.tags.includes(f.tag)
    && (!needle || f.tag.toLowerCase().includes(needle))).slice(0, TAGS_SHOWN);
  const box = $('tags');
  // the chips are redrawn (a click, new counts): the keyboard stays on the chip it was on
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.tag : undefined;
  box.replaceChildren();
  [...chosen, ...others].forEach(({ tag, count }) => {
    const pressed = state.tags.includes(tag);
    const chip = el('button', { type: 'button', class: 'tag', 'aria-pressed': String(pressed), 'data-tag': tag });
    chip.append(el('span', { class: 'tag-name' }, tag));
    if (count !== undefined) chip.append(el('span', { class: 'count', 'aria-label': count + ' agents' }, String(count)));
    chip.addEventListener('click', () => {
      state.tags = pressed ? state.tags.filter((t) => t !== tag) : [...state.tags, tag];
      changed(false);
    });
    box.append(chip);
  });
  if (!box.children.length) box.append(el('p', { class: 'muted' }, needle ? 'No tag matches.' : 'No tags.'));
  const again = focused === undefined ? null : [...box.querySelectorAll('.tag')].find((b) => b.dataset.tag === focused);
  if (again) again.focus();
}

function reload() {
  state.seq++;
  state.cursor = null;
  state.done = false;
  state.loading = false;
  state.failed = false;
  state.shown = 0;
  $('empty').hidden = true;
  $('load-more').hidden = true;
  $('status').textContent = 'Loading agents…';
  skeletons();
  renderTags();
  loadPage();
  loadTags();
}

/** What a catalog answer says of the view as a whole: when it moves, the view is out of date. */
async function catalogSignature() {
  const body = await getJson('/api/marketplace?limit=1&' + filterParams());
  return JSON.stringify([body.total, body.meta.generation, body.meta.sources]);
}

let following = 0;

/**
 * The registries changed: the view reloads now, and again each time the catalog's answer moves, for a
 * while (the API may still answer from before the change until its next poll). Not only at the first
 * move: a registry enabled again shows its state before its sync brings its agents back.
 */
async function followChange() {
  const mine = ++following;
  let before = await catalogSignature().catch(() => null);
  reload();
  const until = Date.now() + FOLLOW_FOR_MS;
  while (mine === following && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_EVERY_MS));
    const now = await catalogSignature().catch(() => null);
    if (mine !== following) return;
    if (now && now !== before) {
      if (before) reload();
      before = now;
    }
  }
}

/** A filter changed on the page: record it in the address and load the new view. */
function changed(typing) {
  writeUrl(typing);
  syncControls();
  reload();
}

function commitSearch(typing) {
  const q = $('search').value.trim();
  if (q === state.q) return;
  state.q = q;
  changed(typing);
}

export function startCatalog() {
  readUrl();
  syncControls();
  document.title = 'Marketplace';
  let debounce;
  $('search').addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => commitSearch(true), SEARCH_DELAY_MS);
  });
  $('search').addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      clearTimeout(debounce);
      $('search').value = '';
      commitSearch(false);
    }
  });
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(debounce);
    commitSearch(false);
  });
  $('sort').addEventListener('change', () => { state.sort = $('sort').value; changed(false); });
  $('verified').addEventListener('change', () => { state.verified = $('verified').checked; changed(false); });
  $('view-grid').addEventListener('click', () => { state.view = 'grid'; writeUrl(false); syncControls(); });
  $('view-list').addEventListener('click', () => { state.view = 'list'; writeUrl(false); syncControls(); });
  $('tag-search').addEventListener('input', renderTags);
  $('clear-filters').addEventListener('click', () => {
    state.q = ''; state.tags = []; state.registryUrl = ''; state.verified = false;
    changed(false);
    $('search').focus();
  });
  $('load-more').addEventListener('click', loadPage);
  observer = new IntersectionObserver((entries) => {
    if (!state.failed && entries.some((x) => x.isIntersecting)) loadPage();
  }, { rootMargin: '0px 0px 400px 0px' });
  observer.observe($('sentinel'));
  window.addEventListener('popstate', () => {
    lastWriteWasTyping = false;
    readUrl();
    syncControls();
    reload();
  });
  document.addEventListener('marketplace:signed-in', reload);
  // the operator console changed the registries (a rebuild ended, one was disabled or removed)
  document.addEventListener('marketplace:catalog-changed', followChange);
  reload();
}
