package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.account.Caller;
import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.events.RebuildReason;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

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
    private final RebuildEventStreams streams;

    RebuildController(RebuildService rebuilds, RebuildEventStreams streams) {
        this.rebuilds = rebuilds;
        this.streams = streams;
    }

    /** @param registryIds optional subset; force accepts listings the shrink guard would refuse */
    record RebuildRequest(List<String> registryIds, Boolean force) {
    }

    @PostMapping
    ResponseEntity<Map<String, Object>> rebuild(@RequestBody(required = false) RebuildRequest request,
                                                @AuthenticationPrincipal Caller caller) {
        List<UUID> targets;
        if (request == null || request.registryIds() == null) {
            targets = rebuilds.enabledRegistries();
        } else {
            if (request.registryIds().isEmpty()) {
                throw ApiException.badRequest("registryIds is empty: leave it out to rebuild every enabled registry");
            }
            List<UUID> asked = new ArrayList<>(new LinkedHashSet<>(request.registryIds().stream().map(RebuildController::uuid).toList()));
            targets = rebuilds.enabledAmong(asked);
            List<UUID> unknown = asked.stream().filter(id -> !targets.contains(id)).toList();
            if (!unknown.isEmpty()) {
                throw ApiException.badRequest("unknown or disabled registries: " + unknown);
            }
        }
        if (targets.isEmpty()) {
            // a 202 would promise progress that never comes
            throw new ApiException(HttpStatus.CONFLICT, "no enabled registry to rebuild");
        }
        boolean force = request != null && Boolean.TRUE.equals(request.force());
        RebuildService.Started started = rebuilds.request(targets, RebuildReason.OPERATOR, force,
                caller.requestedBy());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("rebuildId", started.rebuildId().toString());
        body.put("status", "accepted");
        body.put("requestedAt", started.requestedAt().toString());
        body.put("registries", started.registryIds().stream().map(UUID::toString).toList());
        String progress = "/api/marketplace/index-rebuild/" + started.rebuildId();
        body.put("links", Map.of("progress", progress, "events", progress + "/events"));
        // every registry is queued from this moment: the answer says so without a second request
        body.put("progress", started.accepted());
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
    }

    @GetMapping("/{rebuildId}")
    RebuildService.Progress progress(@PathVariable String rebuildId) {
        return rebuilds.progress(uuid(rebuildId));
    }

    /** Server-sent events: a {@code registry} event per state change, then {@code end} (or {@code timeout}). */
    @GetMapping(path = "/{rebuildId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String rebuildId) {
        return streams.open(uuid(rebuildId));
    }

    private static UUID uuid(String raw) {
        try {
            return UUID.fromString(raw.trim());
        } catch (RuntimeException e) {
            throw ApiException.badRequest("'" + raw + "' is not an id");
        }
    }
}
