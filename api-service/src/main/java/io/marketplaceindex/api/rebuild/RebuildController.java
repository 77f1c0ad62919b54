package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.account.Caller;
import io.marketplaceindex.api.docs.ApiDocs;
import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.events.RebuildReason;
import io.marketplaceindex.rebuild.RebuildRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Operator rebuilds: all enabled registries, or a chosen subset; progress per registry. Every answer of
 * 400 and above is the Error schema (ApiDocsConfig adds it).
 */
@Tag(name = ApiDocs.REBUILD)
@SecurityRequirement(name = ApiDocs.BEARER)
@SecurityRequirement(name = ApiDocs.SESSION)
@ApiResponse(responseCode = "401", description = ApiDocs.UNAUTHENTICATED)
@ApiResponse(responseCode = "403", description = "role below operator")
@RestController
@RequestMapping("/api/marketplace/index-rebuild")
class RebuildController {

    private static final String REBUILD_ID = "the rebuildId POST answered";

    private final RebuildService rebuilds;
    private final RebuildEventStreams streams;

    RebuildController(RebuildService rebuilds, RebuildEventStreams streams) {
        this.rebuilds = rebuilds;
        this.streams = streams;
    }

    /**
     * The answer to an accepted rebuild: every registry is queued from this moment, and the answer says so
     * without a second request.
     */
    record RebuildAccepted(String rebuildId, String status, Instant requestedAt, List<String> registries,
                           RebuildLinks links, RebuildService.Progress progress) {

        static RebuildAccepted of(RebuildService.Started started) {
            String progress = "/api/marketplace/index-rebuild/" + started.rebuildId();
            return new RebuildAccepted(started.rebuildId().toString(), "accepted", started.requestedAt(),
                    started.registryIds().stream().map(UUID::toString).toList(),
                    new RebuildLinks(progress, progress + "/events"), started.accepted());
        }
    }

    record RebuildLinks(String progress, String events) {
    }

    @Operation(summary = "Rebuild the index", description = "Rebuilds all enabled registries, or the subset given "
            + "(registryIds; all enabled ones when absent; force accepts a listing the shrink guard would refuse). "
            + "Answers 202 with a rebuildId at once, every registry queued; the workers do the work. "
            + "Needs the operator role.")
    @ApiResponse(responseCode = "202", description = "accepted: rebuildId, registries, links.progress, progress")
    @ApiResponse(responseCode = "400", description = "unknown or disabled registries, an empty registryIds, "
            + "or a malformed body")
    @ApiResponse(responseCode = "409", description = "no enabled registry to rebuild")
    @ApiResponse(responseCode = "503", description = "the command bus (Kafka) failed; registries requested before "
            + "the failure may already sync, and repeating the request is harmless (coalesced)")
    @PostMapping
    @ResponseStatus(HttpStatus.ACCEPTED)
    RebuildAccepted rebuild(@RequestBody(required = false) RebuildRequest request,
                            @AuthenticationPrincipal Caller caller) {
        RebuildRequest asked = request == null ? RebuildRequest.all() : request;
        try {
            List<UUID> ids = asked.askedIds();
            List<UUID> targets = RebuildRequest.targets(ids,
                    ids == null ? rebuilds.enabledRegistries() : rebuilds.enabledAmong(ids));
            return RebuildAccepted.of(rebuilds.request(targets, RebuildReason.OPERATOR, asked.forced(),
                    caller.requestedBy()));
        } catch (RebuildRequest.Refused e) {
            throw new ApiException(HttpStatus.valueOf(e.status()), e.getMessage());
        }
    }

    @Operation(summary = "Progress of a rebuild", description = "One line per registry: queued until a worker "
            + "picks it up, then syncing and its outcome; started/finished, detail. Needs the operator role.")
    @ApiResponse(responseCode = "200", description = "progress")
    @ApiResponse(responseCode = "400", description = "not an id")
    @GetMapping("/{rebuildId}")
    RebuildService.Progress progress(@Parameter(description = REBUILD_ID, schema = @Schema(format = "uuid"))
                                     @PathVariable String rebuildId) {
        return rebuilds.progress(uuid(rebuildId));
    }

    @Operation(summary = "Progress of a rebuild as server-sent events", description = "text/event-stream: a "
            + "'registry' event per change of a registry's state (registryId, name, status, counts or error), then "
            + "'end' (total, finished, failed) when every registry has an outcome, or 'timeout' when the stream "
            + "reached its maximum duration. Needs the operator role.")
    @ApiResponse(responseCode = "200", description = "the event stream")
    @ApiResponse(responseCode = "400", description = "not an id")
    @ApiResponse(responseCode = "404", description = "no such rebuild")
    @ApiResponse(responseCode = "503", description = "too many streams open on this replica (Retry-After)")
    @GetMapping(path = "/{rebuildId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@Parameter(description = REBUILD_ID, schema = @Schema(format = "uuid"))
                      @PathVariable String rebuildId) {
        return streams.open(uuid(rebuildId));
    }

    private static UUID uuid(String raw) {
        try {
            return RebuildRequest.id(raw);
        } catch (RebuildRequest.Refused e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }
}
