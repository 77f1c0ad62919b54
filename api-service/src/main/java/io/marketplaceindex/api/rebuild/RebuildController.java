package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.events.RebuildReason;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Operator rebuilds: all enabled registries, or a chosen subset; progress per registry. */
@RestController
@RequestMapping("/api/marketplace/index-rebuild")
class RebuildController {

    private final RebuildService rebuilds;
    private final JdbcClient jdbc;

    RebuildController(RebuildService rebuilds, JdbcClient jdbc) {
        this.rebuilds = rebuilds;
        this.jdbc = jdbc;
    }

    /** @param registryIds optional subset; force accepts listings the shrink guard would refuse */
    record RebuildRequest(List<String> registryIds, Boolean force) {
    }

    @PostMapping
    ResponseEntity<Map<String, Object>> rebuild(@RequestBody(required = false) RebuildRequest request) {
        List<UUID> targets;
        if (request == null || request.registryIds() == null) {
            targets = rebuilds.enabledRegistries();
        } else {
            List<UUID> asked = new ArrayList<>(new LinkedHashSet<>(request.registryIds().stream().map(RebuildController::uuid).toList()));
            targets = rebuilds.enabledAmong(asked);
            List<UUID> unknown = asked.stream().filter(id -> !targets.contains(id)).toList();
            if (!unknown.isEmpty()) {
                throw ApiException.badRequest("unknown or disabled registries: " + unknown);
            }
        }
        boolean force = request != null && Boolean.TRUE.equals(request.force());
        RebuildService.Started started = rebuilds.request(targets, RebuildReason.OPERATOR, force);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("rebuildId", started.rebuildId().toString());
        body.put("status", "accepted");
        body.put("requestedAt", started.requestedAt().toString());
        body.put("registries", started.registryIds().stream().map(UUID::toString).toList());
        body.put("links", Map.of("progress", "/api/marketplace/index-rebuild/" + started.rebuildId()));
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }

    @GetMapping("/{rebuildId}")
    Map<String, Object> progress(@PathVariable String rebuildId) {
        UUID id = uuid(rebuildId);
        List<Map<String, Object>> registries = jdbc.sql("""
                        SELECT p.registry_id AS "registryId", r.name, p.reason, p.status, p.started_at AS "startedAt",
                               p.finished_at AS "finishedAt", p.detail::text AS detail
                        FROM marketplace_rebuild_progress p
                        LEFT JOIN marketplace_registries r ON r.id = p.registry_id
                        WHERE p.rebuild_id = ?
                        ORDER BY r.name, p.registry_id
                        """)
                .param(id).query().listOfRows();
        long finished = registries.stream().filter(r -> !"syncing".equals(r.get("status"))).count();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("rebuildId", id.toString());
        body.put("started", registries.size());
        body.put("finished", finished);
        body.put("registries", registries);
        return body;
    }

    private static UUID uuid(String raw) {
        try {
            return UUID.fromString(raw.trim());
        } catch (RuntimeException e) {
            throw ApiException.badRequest("'" + raw + "' is not an id");
        }
    }
}
