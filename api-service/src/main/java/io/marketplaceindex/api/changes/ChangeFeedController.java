package io.marketplaceindex.api.changes;

import io.marketplaceindex.api.web.RawJson;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * GET /api/marketplace/changes?updatedSince&cursor&limit: what changed in the index, upserts and
 * removals, in change-stamp order up to a watermark (see {@link ChangeFeedRepository}), for clients
 * that mirror the catalog.
 *
 * <p>Removals are tombstones the worker keeps for {@code MARKETPLACE_SYNC_TOMBSTONE_RETENTION}
 * (7 days by default): a client whose last position is older than that may have missed removals and
 * must resync from the catalog. Not cached: each client reads its own positions, and a page is
 * a bounded index walk.
 */
@RestController
@RequestMapping("/api/marketplace")
class ChangeFeedController {

    private final ChangeFeedRepository feed;

    ChangeFeedController(ChangeFeedRepository feed) {
        this.feed = feed;
    }

    @GetMapping(path = "/changes", produces = MediaType.APPLICATION_JSON_VALUE)
    ChangePage changes(@RequestParam(required = false) String updatedSince,
                       @RequestParam(required = false) String cursor,
                       @RequestParam(required = false) String limit) {
        ChangeQuery query = ChangeQuery.parse(updatedSince, cursor, limit);
        ChangeFeedRepository.Snapshot snapshot = feed.read(query);
        boolean hasMore = snapshot.rows().size() > query.limit();
        List<ChangeFeedRepository.Row> rows = hasMore ? snapshot.rows().subList(0, query.limit()) : snapshot.rows();
        List<ChangePage.Change> data = rows.stream()
                .map(r -> new ChangePage.Change(r.registryId().toString(), r.handle(), r.change(), r.changeXid(),
                        r.at().toInstant(), RawJson.of(r.agentJson())))
                .toList();
        ChangeCursor next;
        if (hasMore) {
            ChangeFeedRepository.Row last = rows.get(rows.size() - 1);
            next = new ChangeCursor(last.changeXid(), last.registryId(), last.handle());
        } else {
            // Every change below the watermark has been returned, and none can still appear below it.
            next = caughtUp(query.cursor(), snapshot.watermark());
        }
        return new ChangePage(data, new ChangePage.Meta(next.encode(), hasMore, snapshot.watermark(), query.limit()));
    }

    /**
     * The feed's head: no changes, and the cursor of a client that has everything written so far. Taken
     * before a resync from the catalog and followed after it, it misses nothing: a change the catalog
     * reads did not see was written by a transaction still open when the head was taken, or by a later
     * one, and is stamped at or above its watermark. {@code updatedSince} cannot promise that, since a
     * change's time is when its transaction began, seconds before it commits.
     */
    @GetMapping(path = "/changes/head", produces = MediaType.APPLICATION_JSON_VALUE)
    ChangePage head() {
        long watermark = feed.watermark();
        ChangeCursor head = ChangeCursor.below(watermark);
        return new ChangePage(List.of(), new ChangePage.Meta(head.encode(), false, watermark, 0));
    }

    /**
     * The cursor of a client that has everything below the watermark. It never moves back: a
     * snapshot's xmin does not decrease, but a read from a lagging standby, say, could see an older one.
     */
    private static ChangeCursor caughtUp(ChangeCursor previous, long watermark) {
        if (previous == null || previous.changeXid() < watermark) {
            return ChangeCursor.below(watermark);
        }
        return previous;
    }
}
