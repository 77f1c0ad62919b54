// Which view the address asks for: the catalog at /marketplace, one agent below it. The server
// answers every such address with this same page (PageController). The other view leaves the
// document, so that it holds one h1 and nothing hidden for assistive technology to trip over.
import { startCatalog } from './catalog.js';
import { agentAddress, startDetail } from './detail.js';

const address = agentAddress();
document.getElementById(address ? 'catalog-view' : 'detail-view').remove();
if (address) {
  document.getElementById('detail-view').hidden = false;
  startDetail(address);
} else {
  document.getElementById('catalog-view').hidden = false;
  startCatalog();
}
