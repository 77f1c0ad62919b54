package io.marketplaceindex.indexsync;

import io.marketplaceindex.rebuild.RebuildRequest;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;

/**
 * The index-sync command line: asks the running api-service for a rebuild over HTTP with an API
 * token, then follows the rebuild's progress until every registry has finished. It holds no
 * database or Kafka credentials.
 *
 * <p>Exit status: 0 when every registry succeeded (or, with --no-wait, when the rebuild was
 * accepted); 1 when a registry failed, the timeout passed or the api-service could not be asked;
 * 2 for bad arguments, including a rebuild the api-service refused as a client error (its reason is
 * printed). The arguments are checked by the api-service's own rules ({@link RebuildRequest}).
 */
@Command(name = "index-sync", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {
                "Rebuilds the index through the api-service's HTTP API: every enabled registry, or those named "
                        + "with --registry, then follows the progress until each has finished.",
                "The API token (an operator's or an admin's) comes from --token-file or MARKETPLACE_API_TOKEN; "
                        + "it is never taken on the command line and never printed."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
                "0:every registry succeeded (with --no-wait: the rebuild was accepted)",
                "1:a registry failed (each is named), the timeout passed, or the api-service could not be asked",
                "2:bad arguments, or the api-service refused the request as a client error (any 4xx but 408 and 429: "
                        + "an unknown or disabled registry, no enabled registry to rebuild, a token without the role)"})
public final class IndexSync implements Callable<Integer> {

    public static final String URL_ENV = "MARKETPLACE_URL";
    public static final String TOKEN_ENV = "MARKETPLACE_API_TOKEN";
    private static final String DEFAULT_URL = "http://localhost:8080";

    @Spec
    private CommandSpec spec;

    @Option(names = "--url", paramLabel = "URL",
            description = "The api-service's base URL (default: $" + URL_ENV + ", else " + DEFAULT_URL + ").")
    private URI url;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding the API token (default: the token in $" + TOKEN_ENV + ").")
    private Path tokenFile;

    @Option(names = "--registry", paramLabel = "ID", split = ",",
            description = "A registry id to rebuild; repeatable, or comma-separated. Default: every enabled registry.")
    private List<String> registries;

    @Option(names = "--force", description = "Accept listings the shrink guard would refuse.")
    private boolean force;

    @Option(names = "--no-wait", description = "Ask for the rebuild and exit without following its progress.")
    private boolean noWait;

    @Option(names = "--json", description = "Print one JSON document on stdout at the end instead of the report.")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30M", converter = DurationConverter.class,
            description = "How long to follow the progress: ISO-8601 (PT30M) or seconds (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--poll-interval", paramLabel = "DURATION", defaultValue = "PT1S", converter = DurationConverter.class,
            hidden = true, description = "How often the progress is read.")
    private Duration pollInterval;

    private final Map<String, String> env;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean terminal;
    private final JsonMapper mapper = JsonMapper.builder().build();

    IndexSync(Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        this.env = env;
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, System.getenv(), out, err, onTerminal()));
    }

    /** Redrawing a line only makes sense on a terminal; cron and pipes get one line per change. */
    private static boolean onTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            // from Java 22 a console exists when the output is redirected too; isTerminal tells them apart
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            return true; // before Java 22 a console is a terminal
        }
    }

    /** Runs the command as {@link #main} does and returns its exit status instead of exiting. */
    public static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        return run(args, env, out, err, false);
    }

    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err, boolean terminal) {
        CommandLine command = new CommandLine(new IndexSync(env, out, err, terminal));
        command.setOut(out);
        command.setErr(err);
        int code = command.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public Integer call() throws InterruptedException {
        URI base = baseUrl();
        String token = token();
        RebuildRequest request = request();
        requirePositive(timeout, "--timeout must be positive, not " + timeout);
        requirePositive(pollInterval, "--poll-interval must be positive");
        RebuildClient client = new RebuildClient(base, token, mapper);

        RebuildClient.Answer accepted;
        try {
            accepted = client.start(request);
        } catch (IOException e) {
            err.println("error: could not reach the api-service at " + base + ": " + describe(e));
            return 1;
        }
        if (accepted.status() != 202) {
            err.println("error: the api-service refused the rebuild (" + accepted.status() + "): " + accepted.error());
            return refusedStatus(accepted.status());
        }
        Rebuild rebuild = Rebuild.of(accepted.body());
        if (!json) {
            out.printf("rebuild %s requested for %d registries%n", rebuild.id(), rebuild.asked().size());
        }
        Map<String, Line> lines = new LinkedHashMap<>();
        rebuild.asked().forEach(id -> lines.put(id, Line.queued(id)));
        if (noWait) {
            if (json) {
                printJson(rebuild.id(), "accepted", lines);
            } else {
                out.println("not waiting: follow it with GET " + rebuild.progressPath());
            }
            return 0;
        }
        return follow(client, rebuild, lines);
    }

    /**
     * The exit status of a rebuild the api-service did not accept. A 4xx answers what was asked (an
     * unknown registry, nothing enabled to rebuild, a token without the role): asking again the same
     * way cannot succeed, so it is a bad argument, as it is when index-sync finds it itself. 408 and 429
     * say "not now", and 5xx is the service's trouble: a failure.
     */
    static int refusedStatus(int httpStatus) {
        boolean clientError = httpStatus >= 400 && httpStatus < 500 && httpStatus != 408 && httpStatus != 429;
        return clientError ? 2 : 1;
    }

    /** The rebuild as the api-service accepted it. */
    private record Rebuild(String id, String progressPath, String eventsPath, List<String> asked) {
        static Rebuild of(JsonNode accepted) {
            List<String> asked = new ArrayList<>();
            accepted.path("registries").forEach(id -> asked.add(id.asString()));
            return new Rebuild(accepted.path("rebuildId").asString(),
                    accepted.path("links").path("progress").asString(""),
                    accepted.path("links").path("events").asString(""), asked);
        }
    }

    /** Follows the progress until every registry has an outcome or the timeout passes; reports it. */
    private int follow(RebuildClient client, Rebuild rebuild, Map<String, Line> lines) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Progress shown = new Progress(terminal && !json, out);
        if (!rebuild.eventsPath().isEmpty()) {
            // Live lines as the api-service streams them; the outcome is read from the progress below
            // either way, which also carries on by polling when the stream was refused or cut.
            client.follow(rebuild.eventsPath(), deadline, event -> update(lines, Line.ofEvent(event), shown));
        }
        while (true) {
            JsonNode progress;
            try {
                RebuildClient.Answer answer = client.progress(rebuild.progressPath());
                if (answer.status() != 200) {
                    err.println("error: reading the progress answered " + answer.status() + ": " + answer.error());
                    return 1;
                }
                progress = answer.body();
            } catch (IOException e) {
                // the api-service may be restarting: the rebuild goes on, so keep asking until the deadline
                err.println("warning: could not read the progress: " + describe(e));
                progress = null;
            }
            if (progress != null) {
                progress.path("registries").forEach(registry -> update(lines, Line.of(registry), shown));
            }
            boolean done = lines.values().stream().noneMatch(Line::unfinished);
            if (done || !Instant.now().isBefore(deadline)) {
                shown.end();
                return report(rebuild, lines, done);
            }
            Thread.sleep(Math.min(pollInterval.toMillis(), Math.max(1, Duration.between(Instant.now(), deadline).toMillis())));
        }
    }

    private void update(Map<String, Line> lines, Line line, Progress shown) {
        Line before = lines.put(line.id(), line);
        if (!json && (before == null || !before.sameState(line))) {
            shown.changed(line);
        }
    }

    /** @return the exit status: 0 when every registry succeeded */
    private int report(Rebuild rebuild, Map<String, Line> lines, boolean done) {
        List<Line> failed = lines.values().stream().filter(Line::failed).toList();
        String outcome = !done ? "timed-out" : failed.isEmpty() ? "succeeded" : "failed";
        if (json) {
            printJson(rebuild.id(), outcome, lines);
        } else {
            long finished = lines.values().stream().filter(l -> !l.unfinished()).count();
            out.printf("%d/%d registries finished (%d failed)%n", finished, lines.size(), failed.size());
            lines.values().forEach(l -> out.println("  " + l.describe()));
        }
        failed.forEach(l -> err.println("failed: registry " + l.label() + (l.error() == null ? "" : ": " + l.error())));
        if (!done) {
            err.println("timed out after " + timeout + "; the workers carry on, follow it with GET " + rebuild.progressPath());
        }
        return done && failed.isEmpty() ? 0 : 1;
    }

    /** The rebuild to ask for, checked by the rules the api-service applies to it. */
    private RebuildRequest request() {
        RebuildRequest request = RebuildRequest.of(registries, force);
        try {
            List<UUID> asked = request.askedIds();
            return asked == null ? request : RebuildRequest.of(asked.stream().map(UUID::toString).toList(), force);
        } catch (RebuildRequest.Refused e) {
            throw new ParameterException(spec.commandLine(), "invalid --registry: " + e.getMessage());
        }
    }

    private void requirePositive(Duration duration, String message) {
        if (duration.isNegative() || duration.isZero()) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }

    private URI baseUrl() {
        URI base = url;
        if (base == null) {
            String fromEnv = env.get(URL_ENV);
            try {
                base = URI.create(fromEnv == null || fromEnv.isBlank() ? DEFAULT_URL : fromEnv.trim());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "$" + URL_ENV + " is not a URL: " + e.getMessage());
            }
        }
        if (!("http".equals(base.getScheme()) || "https".equals(base.getScheme())) || base.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "the api-service URL must be http(s)://host[:port], not '" + base + "'");
        }
        return base;
    }

    private String token() {
        String token;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new ParameterException(spec.commandLine(), "cannot read --token-file " + tokenFile + ": " + describe(e));
            }
            if (token.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--token-file " + tokenFile + " is empty");
            }
        } else {
            token = env.getOrDefault(TOKEN_ENV, "").trim();
            if (token.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "no API token: give --token-file FILE or set $" + TOKEN_ENV);
            }
        }
        if (token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            // a header cannot carry it; the message must not echo it
            throw new ParameterException(spec.commandLine(), "the API token has characters a header cannot carry");
        }
        return token;
    }

    private void printJson(String rebuildId, String outcome, Map<String, Line> lines) {
        ObjectNode doc = mapper.createObjectNode();
        doc.put("rebuildId", rebuildId);
        doc.put("outcome", outcome);
        ArrayNode array = doc.putArray("registries");
        lines.values().forEach(l -> {
            ObjectNode node = array.addObject();
            node.put("id", l.id());
            node.put("name", l.name());
            node.put("status", l.status());
            node.set("counts", l.counts());
            node.put("error", l.error());
        });
        out.println(mapper.writeValueAsString(doc));
    }

    /** The first message in the cause chain (java.net.http's ConnectException has none of its own). */
    private static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getClass().getSimpleName() + ": " + t.getMessage();
            }
        }
        return e instanceof java.net.ConnectException ? "cannot connect (nothing listening, or unreachable)"
                : e.getClass().getSimpleName();
    }

    /** Accepts ISO-8601 durations (PT30M) and plain seconds (1800). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim();
            try {
                return v.chars().allMatch(Character::isDigit) && !v.isEmpty() ? Duration.ofSeconds(Long.parseLong(v))
                        : Duration.parse(v);
            } catch (DateTimeParseException | NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is neither an ISO-8601 duration (PT30M) nor seconds");
            }
        }
    }

    /** Prints a registry's change of state: one line each, or redrawn in place on a terminal. */
    private static final class Progress {
        private final boolean redraw;
        private final PrintWriter out;
        private final Map<String, String> current = new LinkedHashMap<>();

        Progress(boolean redraw, PrintWriter out) {
            this.redraw = redraw;
            this.out = out;
        }

        void changed(Line line) {
            current.put(line.id(), line.describe());
            if (redraw) {
                out.print("\r\033[K" + line.describe());
                out.flush();
            } else {
                out.println(line.describe());
            }
        }

        void end() {
            if (redraw && !current.isEmpty()) {
                out.print("\r\033[K");
                out.flush();
            }
        }
    }
}
