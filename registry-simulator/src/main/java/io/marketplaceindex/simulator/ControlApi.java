package io.marketplaceindex.simulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /control/...}: the embeddable API over HTTP, for a simulator running as its own process
 * (demos, benchmarks, end-to-end tests). Unauthenticated on purpose: the server only binds loopback.
 */
final class ControlApi {

    private final RegistrySimulator simulator;
    private final JsonMapper json;

    ControlApi(RegistrySimulator simulator, JsonMapper json) {
        this.simulator = simulator;
        this.json = json;
    }

    /** A client mistake, answered as 4xx JSON instead of escaping as a 500. */
    private static final class BadRequest extends RuntimeException {
        private final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    Reply serve(String method, List<String> path, Map<String, String> query, byte[] body) {
        try {
            return route(method, path, query, body);
        } catch (BadRequest e) {
            return error(json, e.status, e.getMessage());
        } catch (IllegalArgumentException e) {
            return error(json, 400, e.getMessage());
        }
    }

    private Reply route(String method, List<String> path, Map<String, String> query, byte[] body) {
        if (path.equals(List.of("stats")) && method.equals("GET")) {
            return ok(stats());
        }
        if (path.equals(List.of("registries"))) {
            return registries(method, query);
        }
        if (path.size() < 2 || !path.get(0).equals("registries")) {
            throw new BadRequest(404, "no such control path");
        }
        String name = HttpSupport.decode(path.get(1)).orElseThrow(() -> new BadRequest(400, "bad registry name"));
        SimulatedRegistry registry = simulator.findRegistry(name)
                .orElseThrow(() -> new BadRequest(404, "no registry named " + name));
        if (path.size() == 2) {
            return registry(method, name, registry);
        }
        if (path.size() != 3) {
            throw new BadRequest(404, "no such control path");
        }
        String action = path.get(2);
        if (action.equals("agents") && method.equals("GET")) {
            return ok(Map.of("agents", registry.agents().stream().map(ControlApi::agentJson).toList()));
        }
        if (action.equals("faults") && method.equals("DELETE")) {
            registry.clearFaults();
            return ok(Map.of("faults", 0));
        }
        if (!method.equals("POST")) {
            throw new BadRequest(405, "use POST");
        }
        return act(registry, action, query, body);
    }

    /** {@code /control/registries}: list them, or add one. */
    private Reply registries(String method, Map<String, String> query) {
        if (method.equals("GET")) {
            return ok(Map.of("registries", simulator.registries().stream().map(this::describe).toList()));
        }
        if (method.equals("POST")) {
            String name = required(query, "name");
            int agents = intParam(query, "agents", 100);
            long seed = longParam(query, "seed", 1L);
            if (simulator.findRegistry(name).isPresent()) {
                throw new BadRequest(409, "registry already exists: " + name);
            }
            return Reply.json(201, json.writeValueAsBytes(describe(simulator.addRegistry(name, agents, seed))));
        }
        throw new BadRequest(405, "use GET or POST");
    }

    /** {@code /control/registries/{name}}: describe it, or remove it. */
    private Reply registry(String method, String name, SimulatedRegistry registry) {
        if (method.equals("DELETE")) {
            simulator.removeRegistry(name);
            return ok(Map.of("removed", name));
        }
        if (method.equals("GET")) {
            return ok(describe(registry));
        }
        throw new BadRequest(405, "use GET or DELETE");
    }

    /** {@code POST /control/registries/{name}/{action}}: changes what the registry serves. */
    private Reply act(SimulatedRegistry registry, String action, Map<String, String> query, byte[] body) {
        return switch (action) {
            case "mutate" -> ok(Map.of("mutated", registry.mutate(intParam(query, "count", 1))));
            case "remove" -> ok(Map.of("removed", registry.removeAgent(required(query, "handle"))));
            case "add" -> ok(agentJson(registry.addAgent(required(query, "handle"), query.get("name"))));
            case "update" -> {
                String handle = required(query, "handle");
                String newName = query.get("name");
                yield ok(agentJson(newName == null ? registry.updateAgent(handle) : registry.updateAgent(handle, newName)));
            }
            case "latency" -> {
                registry.setLatency(Duration.ofMillis(longParam(query, "ms", 0)));
                yield ok(Map.of("latencyMs", registry.latency().toMillis()));
            }
            case "card-max-age" -> ok(setCardMaxAge(registry, query));
            case "proofs" -> {
                registry.signRecords(!"false".equals(query.get("sign")));
                registry.setProofDefectShares(intParam(query, "tamperedEvery", 0), intParam(query, "unsignedEvery", 0));
                yield ok(Map.of("signed", registry.signsRecords()));
            }
            case "proof-defect" -> {
                registry.setProofDefect(required(query, "handle"), ProofDefect.fromWire(required(query, "defect")));
                yield ok(Map.of("handle", query.get("handle"), "defect", query.get("defect")));
            }
            case "auth" -> {
                String token = query.get("token");
                registry.setAuthToken(token);
                yield ok(Map.of("auth", token != null && !token.isEmpty()));
            }
            case "faults" -> {
                registry.setFault(parseFault(body));
                yield ok(Map.of("faults", registry.faults().size()));
            }
            default -> throw new BadRequest(404, "no such control action: " + action);
        };
    }

    private Map<String, Object> setCardMaxAge(SimulatedRegistry registry, Map<String, String> query) {
        // no seconds (or empty): stop sending Cache-Control on cards
        String seconds = query.get("seconds");
        registry.setCardMaxAge(seconds == null || seconds.isEmpty() ? null
                : Duration.ofSeconds(longParam(query, "seconds", 0)));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cardMaxAgeSeconds", registry.cardMaxAge() == null ? null : registry.cardMaxAge().toSeconds());
        return out;
    }

    /**
     * A fault from JSON, e.g. {@code {"kind":"status","target":"listing","status":503,"times":2}}.
     * Kinds: status, rateLimited, hang, slowBody, malformed, oversize, redirect, missingRecord,
     * expiredRecord, cardNotFound, emptyListing, shrinkListing. Targets: health, listing, records,
     * record, cards, card (record and card need "handle").
     */
    Fault parseFault(byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequest(400, "fault body is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest(400, "fault body must be a JSON object");
        }
        String kind = text(node, "kind").orElseThrow(() -> new BadRequest(400, "fault needs \"kind\""));
        Optional<String> handle = text(node, "handle");
        int times = node.has("times") ? node.get("times").asInt() : 0;
        Fault fault = switch (kind) {
            case "status" -> Fault.status(target(node, handle), intField(node, "status", 500));
            case "rateLimited" -> Fault.rateLimited(target(node, handle), intField(node, "retryAfterSeconds", 1));
            case "hang" -> Fault.hang(target(node, handle),
                    Duration.ofMillis(intField(node, "durationMs", (int) Fault.DEFAULT_HANG.toMillis())));
            case "slowBody" -> Fault.slowBody(target(node, handle), Duration.ofMillis(intField(node, "perByteMs", 200)));
            case "malformed" -> text(node, "body")
                    .map(b -> Fault.malformed(target(node, handle), b))
                    .orElseGet(() -> Fault.malformed(target(node, handle)));
            case "oversize" -> Fault.oversize(target(node, handle), intField(node, "bytes", 600_000));
            case "redirect" -> new Fault.Redirect(target(node, handle), intField(node, "status", 302),
                    text(node, "location").orElseThrow(() -> new BadRequest(400, "redirect needs \"location\"")), 0);
            case "missingRecord" -> Fault.missingRecord(needHandle(handle));
            case "expiredRecord" -> Fault.expiredRecord(needHandle(handle));
            case "cardNotFound" -> Fault.cardNotFound(needHandle(handle));
            case "emptyListing" -> Fault.emptyListing();
            case "shrinkListing" -> Fault.shrinkListing(node.has("fraction") ? node.get("fraction").asDouble() : 0.5);
            default -> throw new BadRequest(400, "unknown fault kind: " + kind);
        };
        return times > 0 ? fault.firstRequests(times) : fault;
    }

    private static Fault.Target target(JsonNode node, Optional<String> handle) {
        String target = text(node, "target").orElseThrow(() -> new BadRequest(400, "fault needs \"target\""));
        return switch (target) {
            case "health" -> Fault.Target.health();
            case "listing" -> Fault.Target.listing();
            case "records" -> Fault.Target.records();
            case "record" -> Fault.Target.record(needHandle(handle));
            case "cards" -> Fault.Target.cards();
            case "card" -> Fault.Target.card(needHandle(handle));
            default -> throw new BadRequest(400, "unknown fault target: " + target);
        };
    }

    private static String needHandle(Optional<String> handle) {
        return handle.orElseThrow(() -> new BadRequest(400, "this fault needs \"handle\""));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? Optional.of(value.asString()) : Optional.empty();
    }

    private static int intField(JsonNode node, String field, int fallback) {
        JsonNode value = node.get(field);
        return value != null && value.isNumber() ? value.asInt() : fallback;
    }

    private Map<String, Object> stats() {
        Map<String, Object> perRegistry = new LinkedHashMap<>();
        for (SimulatedRegistry r : simulator.registries()) {
            perRegistry.put(r.name(), r.stats());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requests", simulator.requestCount());
        out.put("registries", perRegistry);
        return out;
    }

    private Map<String, Object> describe(SimulatedRegistry r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", r.name());
        out.put("baseUrl", r.baseUrl());
        out.put("agents", r.size());
        out.put("seed", r.seed());
        return out;
    }

    private static Map<String, Object> agentJson(SimulatedAgent a) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("handle", a.handle());
        out.put("name", a.name());
        out.put("description", a.description());
        out.put("tags", a.tags());
        out.put("author", a.author());
        out.put("cardUrl", a.cardUrl());
        out.put("version", a.version());
        out.put("updatedAt", a.updatedAt().toString());
        return out;
    }

    private Reply ok(Object body) {
        return Reply.json(200, json.writeValueAsBytes(body));
    }

    static Reply error(JsonMapper json, int status, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        body.put("status", status);
        return Reply.json(status, json.writeValueAsBytes(body));
    }

    private static String required(Map<String, String> query, String name) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            throw new BadRequest(400, "query parameter \"" + name + "\" is required");
        }
        return value;
    }

    private static int intParam(Map<String, String> query, String name, int fallback) {
        long value = longParam(query, name, fallback);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new BadRequest(400, "query parameter \"" + name + "\" is out of range");
        }
        return (int) value;
    }

    private static long longParam(Map<String, String> query, String name, long fallback) {
        String value = query.get(name);
        if (value == null || value.isEmpty()) {
            return fallback;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "query parameter \"" + name + "\" must be a number");
        }
    }
}
