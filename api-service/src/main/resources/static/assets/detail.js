// One agent at /marketplace/{registryId}/{handle...} (or /marketplace/agent?registryId=&handle= for a
// handle the path cannot carry), from GET /api/marketplace/agent: what it offers, where it links,
// where it came from, and the registry record and Agent Card it was built from.
import { $, el, getJson, ApiError, formatTime, externalLink, httpUrl, proofBadge, iconElement } from './util.js';

/** The registry id and handle of the address, or null when it names no agent. */
export function agentAddress() {
  const path = location.pathname;
  if (path === '/marketplace/agent') {
    const params = new URLSearchParams(location.search);
    const registryId = params.get('registryId');
    const handle = params.get('handle');
    return registryId && handle ? { registryId, handle } : null;
  }
  const match = /^\/marketplace\/([^/]+)\/(.+)$/.exec(path);
  if (!match) return null;
  try {
    return { registryId: decodeURIComponent(match[1]), handle: match[2].split('/').map(decodeURIComponent).join('/') };
  } catch {
    return null;
  }
}

function fact(list, term, value) {
  if (value === undefined || value === null || value === '') return;
  list.append(el('dt', {}, term));
  const dd = el('dd');
  if (value instanceof Node) dd.append(value);
  else dd.textContent = String(value);
  list.append(dd);
}

/** A value of free-form JSON (pricing, a buyer input) as short text. */
function plain(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function renderSkills(skills) {
  const list = $('agent-skills');
  list.replaceChildren();
  if (!Array.isArray(skills) || !skills.length) {
    list.append(el('li', { class: 'muted' }, 'This agent lists no skills.'));
    return;
  }
  skills.forEach((s) => {
    const li = el('li', { class: 'skill' });
    li.append(el('h3', {}, s.name || s.id));
    if (s.description) li.append(el('p', {}, s.description));
    if (Array.isArray(s.tags) && s.tags.length) {
      const chips = el('ul', { class: 'chips', 'aria-label': 'Skill tags' });
      s.tags.forEach((t) => chips.append(el('li', {}, t)));
      li.append(chips);
    }
    list.append(li);
  });
}

function renderLinks(agent) {
  const list = $('agent-links');
  list.replaceChildren();
  [['Documentation', agent.documentationUrl], ['Source', agent.sourceUrl], ['JSON-RPC endpoint', agent.jsonRpcUrl],
    ['Agent Card', agent.agentCardUrl], ['Icon', agent.icon], ['Mesh descriptor', agent.meshDescriptorUrl], ['DID document', agent.didDocumentUrl]]
    .forEach(([label, url]) => {
      const link = externalLink(url);
      if (!link) return;
      const li = el('li', { class: 'link-row' });
      li.append(el('span', { class: 'link-label' }, label + ': '), link);
      list.append(li);
    });
  if (!list.children.length) list.append(el('li', { class: 'muted' }, 'No links.'));
}

function renderPricing(agent) {
  const pricing = $('agent-pricing');
  pricing.replaceChildren();
  if (agent.pricing && typeof agent.pricing === 'object') {
    Object.entries(agent.pricing).forEach(([k, v]) => fact(pricing, k, plain(v)));
  } else {
    fact(pricing, 'Pricing', 'not stated');
  }
  const inputs = $('agent-buyer-inputs');
  inputs.replaceChildren();
  (Array.isArray(agent.buyerInputs) ? agent.buyerInputs : []).forEach((input) => {
    const name = input.label || input.name || input.key || input.id || 'input';
    const details = [input.type, input.required === true ? 'required' : null, input.description].filter(Boolean);
    inputs.append(el('li', {}, 'Buyer input ' + plain(name) + (details.length ? ': ' + details.map(plain).join(' · ') : '')));
  });
}

function renderProvenance(agent, sync) {
  const list = $('agent-provenance');
  list.replaceChildren();
  const registry = el('span');
  registry.append(document.createTextNode((agent.registryName || agent.registryId) + ' '));
  const url = httpUrl(agent.registryUrl);
  if (url) registry.append(el('span', { class: 'muted' }, '(' + url + ')'));
  fact(list, 'Registry', registry);
  fact(list, 'Registry sync', sync.registrySyncStatus
    + (sync.lastSuccessAt ? ' · last success ' + formatTime(sync.lastSuccessAt) : ''));
  fact(list, 'Fetched at', formatTime(sync.fetchedAt));
  fact(list, 'Changed in the index', formatTime(sync.updatedAt));
  fact(list, 'Card error', sync.cardError || 'none');
  if (agent.proof && typeof agent.proof.status === 'string') {
    fact(list, 'Record proof', agent.proof.status + (agent.proof.reason ? ' · ' + agent.proof.reason : ''));
  }
}

function render(detail) {
  const agent = detail.data;
  const sync = detail.sync || {};
  document.title = (agent.name || agent.handle) + ' · Marketplace';
  $('agent-name').textContent = agent.name || agent.handle;
  $('agent-handle').textContent = agent.handle;
  $('agent-byline').textContent = [agent.author && 'by ' + agent.author, agent.version && 'version ' + agent.version,
    agent.protocolVersion && 'A2A ' + agent.protocolVersion].filter(Boolean).join(' · ');
  $('agent-icon').replaceChildren(iconElement(agent.icon, 64, agent.name || agent.handle));
  $('agent-proof').replaceChildren();
  const badge = proofBadge(agent.proof);
  if (badge) $('agent-proof').append(badge);
  $('agent-description').textContent = agent.description || 'No description.';
  const tags = $('agent-tags');
  tags.replaceChildren();
  (agent.tags || []).forEach((t) => {
    tags.append(el('a', { href: '/marketplace?' + new URLSearchParams({ tags: t }), class: 'chip-link' }, t));
  });
  renderSkills(agent.skills);
  const modalities = $('agent-modalities');
  modalities.replaceChildren();
  fact(modalities, 'Input', (agent.inputModalities || []).join(', ') || 'not stated');
  fact(modalities, 'Output', (agent.outputModalities || []).join(', ') || 'not stated');
  renderPricing(agent);
  renderLinks(agent);
  renderProvenance(agent, sync);
  // as text: a record or card holding markup shows that markup, it never becomes part of the page
  $('raw-record').textContent = detail.record == null ? 'Not available.' : JSON.stringify(detail.record, null, 2);
  $('raw-card').textContent = detail.card == null ? 'No card: ' + (sync.cardError || 'not fetched') : JSON.stringify(detail.card, null, 2);
  $('detail-body').hidden = false;
  $('detail-status').textContent = '';
}

export async function startDetail(address) {
  $('detail-status').textContent = 'Loading the agent…';
  const url = '/api/marketplace/agent?' + new URLSearchParams({ registryId: address.registryId, handle: address.handle });
  const load = async () => {
    try {
      render(await getJson(url, { onWait: (s) => { $('detail-status').textContent = `Busy; asking again in ${s} s…`; } }));
    } catch (e) {
      $('detail-body').hidden = true;
      document.title = 'Agent not found · Marketplace';
      if (e instanceof ApiError && e.status === 401) {
        $('detail-status').textContent = 'Sign in to see this agent.';
        if (!$('show-login').hidden) $('show-login').click();
      } else {
        $('detail-status').textContent = (e.status === 404 ? 'No such agent: ' : 'The agent could not be loaded: ') + e.message;
      }
    }
  };
  document.addEventListener('marketplace:signed-in', load);
  await load();
}
