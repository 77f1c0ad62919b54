// Checks what a schema lint cannot see in a compose file: that the files and folders it mounts or
// builds from exist, that every depends_on names a service that exists (and starts with it), that
// every long-running service has a health check, that published ports do not clash, that every
// service:port named in the environment or in a mounted config file (nginx's upstream, Prometheus'
// targets, Grafana's data source) is a port that service exposes, and that the api-service's
// trusted proxies are exactly the ones that proxy to it.
// Usage: node scripts/lib/check-compose.cjs docker-compose.yml (with the 'yaml' package on NODE_PATH).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');

const file = process.argv[2];
const root = path.dirname(path.resolve(file));
const problems = [];
const problem = (message) => problems.push(message);

// Compose's interpolation, as far as a check needs it: defaults are taken, required variables
// stand for themselves.
function interpolate(value) {
  if (typeof value !== 'string') return value;
  return value
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*):?-([^}]*)\}/g, (_, name, fallback) => fallback)
    .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?\?[^}]*)?\}/g, (_, name) => '<' + name + '>')
    .replace(/\$\$/g, '$');
}

const compose = YAML.parse(fs.readFileSync(file, 'utf8'));
const services = compose.services || {};
const names = new Set(Object.keys(services));
const topLevel = (key) => new Set(Object.keys(compose[key] || {}));
const networks = topLevel('networks');
networks.add('default');
const volumes = topLevel('volumes');
const secrets = topLevel('secrets');

function exists(relative, what) {
  const resolved = path.resolve(root, relative);
  if (!fs.existsSync(resolved)) problem(`${what}: ${relative} does not exist`);
  return resolved;
}

function dependencies(service) {
  const dependsOn = service.depends_on || {};
  if (Array.isArray(dependsOn)) {
    return dependsOn.map((name) => [name, { condition: 'service_started' }]);
  }
  return Object.entries(dependsOn);
}

const awaitedToComplete = new Set();
for (const service of Object.values(services)) {
  for (const [name, dependency] of dependencies(service)) {
    if (dependency.condition === 'service_completed_successfully') awaitedToComplete.add(name);
  }
}

const published = new Map();
for (const [name, service] of Object.entries(services)) {
  const where = `service ${name}`;

  // build context, Dockerfile, and the module jar the Dockerfile copies
  if (service.build) {
    const build = typeof service.build === 'string' ? { context: service.build } : service.build;
    const context = exists(interpolate(build.context || '.'), `${where} build context`);
    const dockerfile = path.join(context, interpolate(build.dockerfile || 'Dockerfile'));
    if (!fs.existsSync(dockerfile)) {
      problem(`${where}: no ${path.relative(root, dockerfile)}`);
    } else {
      checkBuild(where, context, fs.readFileSync(dockerfile, 'utf8'), build.args || {});
    }
  }

  // bind mounts, named volumes, env files, secrets
  for (const volume of service.volumes || []) {
    const source = interpolate(typeof volume === 'string' ? volume.split(':')[0] : volume.source);
    const type = typeof volume === 'string' ? null : volume.type;
    if (!source) continue;
    if (source.startsWith('.') || source.startsWith('/') || type === 'bind') {
      exists(source, `${where} mounts`);
    } else if (!volumes.has(source)) {
      problem(`${where} mounts the volume ${source}, which the top-level volumes do not declare`);
    }
  }
  for (const envFile of [].concat(service.env_file || [])) {
    const relative = typeof envFile === 'string' ? envFile : envFile.path;
    if (typeof envFile === 'string' || envFile.required !== false) exists(interpolate(relative), `${where} env_file`);
  }
  for (const secret of service.secrets || []) {
    const source = typeof secret === 'string' ? secret : secret.source;
    if (!secrets.has(source)) problem(`${where} uses the secret ${source}, which the top-level secrets do not declare`);
  }
  const serviceNetworks = Array.isArray(service.networks) ? service.networks : Object.keys(service.networks || {});
  for (const network of serviceNetworks) {
    if (!networks.has(network)) problem(`${where} joins the network ${network}, which the top-level networks do not declare`);
  }

  // dependencies: they exist, they start whenever this one does, their condition can be met
  for (const [dependencyName, dependency] of dependencies(service)) {
    const target = services[dependencyName];
    if (!target) {
      problem(`${where} depends on ${dependencyName}, which is no service`);
      continue;
    }
    if (target.profiles && !service.profiles && dependency.required !== false) {
      problem(`${where} depends on ${dependencyName}, which runs only with the profiles ${target.profiles.join(', ')}`);
    }
    if (dependency.condition === 'service_healthy' && !hasHealthcheck(target)) {
      problem(`${where} waits for ${dependencyName} to be healthy, but ${dependencyName} has no health check`);
    }
    if (dependency.condition === 'service_completed_successfully' && target.restart && target.restart !== 'no') {
      problem(`${where} waits for ${dependencyName} to complete, but ${dependencyName} restarts (${target.restart})`);
    }
  }

  // a health check, unless it is a one-shot that others wait for to complete
  if (!hasHealthcheck(service) && !awaitedToComplete.has(name)) {
    problem(`${where} has no health check (and is no one-shot awaited with service_completed_successfully)`);
  }

  // published ports: each host address and port once; a replicated service cannot publish a fixed one
  const replicas = (service.deploy && service.deploy.replicas) || service.scale || 1;
  for (const port of service.ports || []) {
    for (const [address, hostPort, protocol] of hostPorts(port)) {
      if (!hostPort) continue;
      if (replicas > 1) problem(`${where} has ${replicas} replicas but publishes the fixed host port ${hostPort}`);
      for (const [otherKey, other] of published) {
        const [otherAddress, otherPort, otherProtocol] = otherKey.split('|');
        const sameAddress = address === otherAddress || address === '0.0.0.0' || otherAddress === '0.0.0.0';
        if (sameAddress && otherPort === hostPort && otherProtocol === protocol) {
          problem(`${where} publishes ${address}:${hostPort}/${protocol}, which ${other} publishes too`);
        }
      }
      published.set([address, hostPort, protocol].join('|'), where);
    }
  }
}

checkTrustedProxies();
checkServicePorts();

function hasHealthcheck(service) {
  const check = service.healthcheck;
  return Boolean(check && !check.disable && check.test && !(Array.isArray(check.test) && check.test[0] === 'NONE'));
}

// [address, host port, protocol] of each port a ports entry publishes; ranges expanded.
function hostPorts(port) {
  let address = '0.0.0.0';
  let published;
  let protocol = 'tcp';
  if (typeof port === 'object') {
    address = interpolate(port.host_ip || address);
    published = interpolate(String(port.published || ''));
    protocol = port.protocol || protocol;
  } else {
    let spec = interpolate(String(port));
    const slash = spec.indexOf('/');
    if (slash >= 0) {
      protocol = spec.slice(slash + 1);
      spec = spec.slice(0, slash);
    }
    const parts = spec.split(':');
    if (parts.length === 1) return []; // container port only: Docker picks a free host port
    if (parts.length === 3) address = parts[0];
    published = parts[parts.length - 2];
  }
  const [from, to] = published.split('-').map(Number);
  if (!from) return [];
  const result = [];
  for (let p = from; p <= (to || from); p++) result.push([address, String(p), protocol]);
  return result;
}

// The Dockerfile's COPY of a module's jar: the module exists and its pom names the jar that way.
function checkBuild(where, context, dockerfile, args) {
  const argValues = Array.isArray(args)
    ? Object.fromEntries(args.map((a) => a.split('=')))
    : args;
  for (const match of dockerfile.matchAll(/^COPY\s+(?:--\S+\s+)*(\S+)\s+\S+\s*$/gm)) {
    const source = match[1].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, arg) => {
      if (!(arg in argValues)) problem(`${where}: the Dockerfile copies ${match[1]}, but no build arg ${arg} is given`);
      return interpolate(String(argValues[arg]));
    });
    const jar = /^([^/]+)\/target\/([^/]+)\.jar$/.exec(source);
    if (jar) {
      const pom = path.join(context, jar[1], 'pom.xml');
      if (!fs.existsSync(pom)) {
        problem(`${where}: the Dockerfile copies ${source}, but ${jar[1]} is no Maven module`);
        continue;
      }
      const text = fs.readFileSync(pom, 'utf8').replace(/<parent>[\s\S]*?<\/parent>/, '');
      const artifactId = (/<artifactId>([^<]+)<\/artifactId>/.exec(text) || [])[1];
      const finalName = ((/<finalName>([^<]+)<\/finalName>/.exec(text) || [])[1] || '')
        .replace('${project.artifactId}', artifactId);
      if (finalName !== jar[2]) {
        problem(`${where}: the Dockerfile copies ${source}, but ${jar[1]}/pom.xml builds ${finalName || artifactId + '-<version>'}.jar`);
      }
    } else if (!fs.existsSync(path.join(context, source))) {
      problem(`${where}: the Dockerfile copies ${source}, which does not exist`);
    }
    const ignore = path.join(context, '.dockerignore');
    if (fs.existsSync(ignore)) {
      const lines = fs.readFileSync(ignore, 'utf8').split('\n').map((l) => l.trim());
      if (lines.includes('*') && !lines.includes('!' + source)) {
        problem(`${where}: .dockerignore leaves ${source} out of the build context`);
      }
    }
  }
}

// A service that reads X-Forwarded-* from trusted proxies (SERVER_TOMCAT_REMOTEIP_INTERNAL_PROXIES):
// the services that depend on it and publish ports (its reverse proxies) must reach it over a
// network inside the trusted ranges, and no other service may join such a network.
function checkTrustedProxies() {
  for (const [name, service] of Object.entries(services)) {
    const env = service.environment || {};
    const trusted = Array.isArray(env)
      ? (env.find((e) => e.startsWith('SERVER_TOMCAT_REMOTEIP_INTERNAL_PROXIES=')) || '').split('=')[1]
      : env.SERVER_TOMCAT_REMOTEIP_INTERNAL_PROXIES;
    if (!trusted) continue;
    const ranges = trusted.split(',').map((r) => r.trim()).filter((r) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(r));
    const trustedNetworks = serviceNetworksOf(name).filter((network) => {
      const subnets = (((compose.networks || {})[network] || {}).ipam || {}).config || [];
      return subnets.length > 0 && subnets.every((c) => ranges.some((r) => within(c.subnet, r)));
    });
    const proxies = Object.entries(services)
      .filter(([, s]) => (s.ports || []).length > 0 && dependencies(s).some(([d]) => d === name))
      .map(([proxyName]) => proxyName);
    for (const proxy of proxies) {
      if (!serviceNetworksOf(proxy).some((n) => trustedNetworks.includes(n))) {
        problem(`service ${proxy} proxies to ${name} but shares no network with it inside ${trusted}`);
      }
    }
    for (const [other] of Object.entries(services)) {
      if (other === name || proxies.includes(other)) continue;
      const shared = serviceNetworksOf(other).filter((n) => trustedNetworks.includes(n));
      if (shared.length > 0) {
        problem(`service ${other} joins ${shared.join(', ')}, which ${name} trusts as its proxy's network`);
      }
    }
  }
}

// The ports a service listens on, as compose knows them: expose and the container side of ports.
function containerPorts(service) {
  const result = new Set((service.expose || []).map((p) => String(p).split('/')[0]));
  for (const port of service.ports || []) {
    const spec = typeof port === 'object' ? String(port.target) : interpolate(String(port)).split('/')[0];
    result.add(spec.split(':').pop());
  }
  return result;
}

function checkServicePorts() {
  const pattern = new RegExp('(?<![\\w.-])(' + [...names].map((n) => n.replace(/[.-]/g, '\\$&')).join('|') + '):(\\d+)\\b', 'g');
  const check = (text, where) => {
    for (const match of String(text).matchAll(pattern)) {
      if (!containerPorts(services[match[1]]).has(match[2])) {
        problem(`${where} names ${match[1]}:${match[2]}, but ${match[1]} exposes no port ${match[2]}`);
      }
    }
  };
  for (const [name, service] of Object.entries(services)) {
    const env = service.environment || {};
    for (const value of Array.isArray(env) ? env : Object.entries(env).map(([k, v]) => `${k}=${v}`)) {
      check(interpolate(String(value)), `service ${name}'s environment`);
    }
    for (const volume of service.volumes || []) {
      const source = typeof volume === 'string' ? volume.split(':')[0] : volume.source;
      if (!source || !(source.startsWith('.') || source.startsWith('/'))) continue;
      for (const mounted of filesUnder(path.resolve(root, interpolate(source)))) {
        const text = fs.readFileSync(mounted, 'utf8');
        const where = `${path.relative(root, mounted)} (mounted into ${name})`;
        check(text, where);
        // Prometheus' DNS discovery names the service and the port apart
        if (/\.ya?ml$/.test(mounted)) {
          for (const job of (YAML.parse(text) || {}).scrape_configs || []) {
            for (const sd of job.dns_sd_configs || []) {
              for (const target of sd.names || []) check(`${target}:${sd.port}`, where);
            }
          }
        }
      }
    }
  }
}

function filesUnder(location) {
  if (!fs.existsSync(location)) return [];
  if (!fs.statSync(location).isDirectory()) return [location];
  return fs.readdirSync(location).flatMap((entry) => filesUnder(path.join(location, entry)));
}

function serviceNetworksOf(name) {
  const declared = services[name].networks;
  if (!declared) return ['default'];
  return Array.isArray(declared) ? declared : Object.keys(declared);
}

function ipv4(address) {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function within(subnet, range) {
  const [subnetAddress, subnetBits] = subnet.split('/');
  const [rangeAddress, rangeBits] = range.split('/');
  if (Number(subnetBits) < Number(rangeBits)) return false;
  const size = 2 ** (32 - Number(rangeBits));
  return Math.floor(ipv4(subnetAddress) / size) === Math.floor(ipv4(rangeAddress) / size);
}

if (problems.length > 0) {
  console.error(problems.map((p) => `${file}: ${p}`).join('\n'));
  process.exit(1);
}
console.log(`${file}: ${names.size} services, every file, dependency, health check and port in order`);
