package io.marketplaceindex.api.rebuild;

import io.marketplaceindex.api.web.ApiException;
import io.marketplaceindex.api.web.Uuids;
import io.marketplaceindex.events.RebuildReason;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.stereotype.Component;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The index-sync command line (scripts/index-sync): publishes a rebuild of all enabled registries
 * (or the ids given with --registry=...), follows its progress until every registry has finished,
 * and exits 0, or 1 when a registry failed or the timeout passed.
 */
@Component
@ConditionalOnProperty(name = "marketplace.cli.index-sync", havingValue = "true")
class IndexSyncCli implements ApplicationRunner {

    private final RebuildService rebuilds;
    private final ConfigurableApplicationContext context;
    private final PrintStream out = System.out;

    IndexSyncCli(RebuildService rebuilds, ConfigurableApplicationContext context) {
        this.rebuilds = rebuilds;
        this.context = context;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        int code = sync(args);
        System.exit(SpringApplication.exit(context, (ExitCodeGenerator) () -> code));
    }

    private int sync(ApplicationArguments args) throws InterruptedException {
        List<UUID> asked = null;
        if (args.containsOption("registry")) {
            List<String> given = args.getOptionValues("registry").stream()
                    .flatMap(v -> List.of(v.split(",")).stream()).map(String::trim).filter(v -> !v.isEmpty()).toList();
            if (given.isEmpty()) {
                out.println("error: --registry needs at least one registry id");
                return 2;
            }
            List<UUID> ids = new ArrayList<>();
            for (String value : given) {
                try {
                    ids.add(Uuids.parse(value, "not a registry id"));
                } catch (ApiException e) {
                    out.println("error: --registry takes registry ids (UUIDs), not '" + value + "'");
                    return 2;
                }
            }
            // the same id twice is one registry, as the rebuild endpoint counts it
            asked = ids.stream().distinct().toList();
        }
        List<UUID> targets = asked == null ? rebuilds.enabledRegistries() : rebuilds.enabledAmong(asked);
        if (asked != null && targets.size() != asked.size()) {
            out.println("error: unknown or disabled registries among " + asked);
            return 2;
        }
        if (targets.isEmpty()) {
            out.println("no enabled registries: nothing to rebuild");
            return 0;
        }
        boolean force = args.containsOption("force");
        Duration timeout = Duration.parse(args.containsOption("timeout") ? args.getOptionValues("timeout").get(0) : "PT30M");
        RebuildService.Started started;
        try {
            started = rebuilds.request(targets, RebuildReason.CLI, force);
        } catch (ApiException e) {
            out.println("error: " + e.getMessage());
            return 1;
        }
        out.printf("rebuild %s requested for %d registries%n", started.rebuildId(), targets.size());
        Instant deadline = Instant.now().plus(timeout);
        long lastFinished = -1;
        while (Instant.now().isBefore(deadline)) {
            RebuildService.Progress progress = rebuilds.progress(started.rebuildId());
            if (progress.finished() != lastFinished) {
                out.printf("%d/%d registries finished (%d failed)%n", progress.finished(), targets.size(),
                        progress.failed());
                lastFinished = progress.finished();
            }
            if (progress.finished() >= targets.size()) {
                progress.registries().forEach(r -> out.printf("  %-40s %-10s %s%n", r.get("name"), r.get("status"),
                        r.get("detail")));
                return progress.failed() == 0 ? 0 : 1;
            }
            Thread.sleep(1000);
        }
        out.println("timed out after " + timeout + "; the workers carry on, follow it with GET "
                + "/api/marketplace/index-rebuild/" + started.rebuildId());
        return 1;
    }
}
