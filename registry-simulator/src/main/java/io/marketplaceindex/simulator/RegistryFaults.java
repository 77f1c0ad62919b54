package io.marketplaceindex.simulator;

import io.marketplaceindex.simulator.Fault.Resource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** The faults set on a registry, in order: the first matching one with budget left replaces or slows an answer. */
final class RegistryFaults {

    private record ActiveFault(Fault fault, AtomicInteger used) {
        boolean tryConsume() {
            int limit = fault.times();
            if (limit == 0) {
                return true;
            }
            int n;
            do {
                n = used.get();
                if (n >= limit) {
                    return false;
                }
            } while (!used.compareAndSet(n, n + 1));
            return true;
        }
    }

    private final RegistryReplies replies;
    private final Supplier<List<String>> handles;
    private final List<ActiveFault> faults = new CopyOnWriteArrayList<>();
    private final AtomicLong faulted = new AtomicLong();

    /** @param handles the current listing, for {@link Fault.ShrinkListing} */
    RegistryFaults(RegistryReplies replies, Supplier<List<String>> handles) {
        this.replies = replies;
        this.handles = handles;
    }

    void add(Fault fault) {
        faults.add(new ActiveFault(Objects.requireNonNull(fault, "fault"), new AtomicInteger()));
    }

    void clear() {
        faults.clear();
    }

    List<Fault> list() {
        return faults.stream().map(ActiveFault::fault).toList();
    }

    long faulted() {
        return faulted.get();
    }

    Reply apply(Resource resource, String handle, Supplier<Reply> normal) {
        for (ActiveFault active : faults) {
            if (active.fault().target().matches(resource, handle) && active.tryConsume()) {
                faulted.incrementAndGet();
                return applyFault(active.fault(), normal);
            }
        }
        return normal.get();
    }

    private Reply applyFault(Fault fault, Supplier<Reply> normal) {
        if (fault instanceof Fault.Status f) {
            Reply reply = replies.error(f.status(), "simulated fault");
            return f.status() == 401 ? reply.withHeader("WWW-Authenticate", replies.bearerChallenge()) : reply;
        } else if (fault instanceof Fault.RateLimited f) {
            return replies.error(429, "rate limited")
                    .withHeader("Retry-After", Integer.toString(f.retryAfterSeconds()));
        } else if (fault instanceof Fault.Hang f) {
            return normal.get().heldFor(f.duration());
        } else if (fault instanceof Fault.SlowBody f) {
            return normal.get().trickled(f.perByte());
        } else if (fault instanceof Fault.Malformed f) {
            return Reply.json(200, f.body().getBytes(StandardCharsets.UTF_8));
        } else if (fault instanceof Fault.Oversize f) {
            return padded(normal.get(), f.bytes());
        } else if (fault instanceof Fault.Redirect f) {
            return Reply.empty(f.status(), Map.of("Location", f.location()));
        } else if (fault instanceof Fault.ShrinkListing f) {
            return Reply.json(200, replies.json(Map.of("handles", shrunk(handles.get(), f.dropFraction()))));
        }
        throw new IllegalStateException("unknown fault " + fault);
    }

    /** Keeps floor(n * (1 - drop)) handles at evenly spaced positions, the same ones every time. */
    static List<String> shrunk(List<String> handles, double dropFraction) {
        double keep = 1.0 - dropFraction;
        List<String> kept = new ArrayList<>();
        for (int p = 0; p < handles.size(); p++) {
            if (Math.floor((p + 1) * keep) > Math.floor(p * keep)) {
                kept.add(handles.get(p));
            }
        }
        return kept;
    }

    /** Grows a JSON object to exactly {@code size} bytes with a padding member; stays valid JSON. */
    private static Reply padded(Reply reply, int size) {
        byte[] body = reply.body();
        if (reply.status() != 200 || body.length == 0 || body[body.length - 1] != '}') {
            return reply;
        }
        byte[] member = ",\"x-padding\":\"".getBytes(StandardCharsets.US_ASCII);
        int padding = size - body.length - member.length - 1;
        if (padding < 0) {
            return reply;
        }
        byte[] out = new byte[size];
        System.arraycopy(body, 0, out, 0, body.length - 1);
        int pos = body.length - 1;
        System.arraycopy(member, 0, out, pos, member.length);
        pos += member.length;
        Arrays.fill(out, pos, pos + padding, (byte) 'x');
        pos += padding;
        out[pos++] = '"';
        out[pos] = '}';
        return new Reply(200, Map.of("Content-Type", Reply.JSON, "ETag", HttpSupport.weakEtag(out)), out,
                reply.holdBefore(), reply.perByte());
    }
}
