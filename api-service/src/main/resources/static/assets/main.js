// Which view the address asks for: the catalog at /marketplace, one agent below it. The server
// answers every such address with this same page (PageController).
import { startCatalog } from './catalog.js';
import { agentAddress, startDetail } from './detail.js';

const address = agentAddress();
if (address) {
  document.getElementById('detail-view').hidden = false;
  startDetail(address);
} else {
  document.getElementById('catalog-view').hidden = false;
  startCatalog();
}
