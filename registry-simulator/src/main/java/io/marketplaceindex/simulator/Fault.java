package io.marketplaceindex.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour a registry shows to clients. Several faults can be active on one registry; for each
 * request the first one (in the order they were set) whose target matches and whose budget is not
 * spent applies, so "503 twice, then 429 once, then fine" is three {@code setFault} calls.
 *
 * <p>{@link #times()} is the budget: 0 means every matching request, K means only the first K
 * matching requests (so a client's retry can succeed). Build faults with the static factories and
 * narrow them with {@link #firstRequests(int)}.
 */
public sealed interface Fault {

    /** The part of the protocol a fault hits. */
    enum Resource { HEALTH, LISTING, RECORD, CARD }

    /**
     * Which requests a fault hits.
     *
     * @param handle one handle's record or card; {@code null} means every record (or card)
     */
    record Target(Resource resource, String handle) {

        public Target {
            Objects.requireNonNull(resource, "resource");
            if (handle != null && (resource == Resource.HEALTH || resource == Resource.LISTING)) {
                throw new IllegalArgumentException(resource + " has no handle");
            }
        }

        public static Target health() {
            return new Target(Resource.HEALTH, null);
        }

        public static Target listing() {
            return new Target(Resource.LISTING, null);
        }

        public static Target records() {
            return new Target(Resource.RECORD, null);
        }

        public static Target record(String handle) {
            return new Target(Resource.RECORD, Objects.requireNonNull(handle, "handle"));
        }

        public static Target cards() {
            return new Target(Resource.CARD, null);
        }

        public static Target card(String handle) {
            return new Target(Resource.CARD, Objects.requireNonNull(handle, "handle"));
        }

        boolean matches(Resource requested, String requestedHandle) {
            return resource == requested && (handle == null || handle.equals(requestedHandle));
        }
    }

    Target target();

    /** How many matching requests this fault answers; 0 = all of them. */
    int times();

    /** The same fault, limited to the first {@code k} matching requests. */
    default Fault firstRequests(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("k must not be negative");
        }
        if (this instanceof Status f) {
            return new Status(f.target(), f.status(), k);
        } else if (this instanceof RateLimited f) {
            return new RateLimited(f.target(), f.retryAfterSeconds(), k);
        } else if (this instanceof Hang f) {
            return new Hang(f.target(), f.duration(), k);
        } else if (this instanceof SlowBody f) {
            return new SlowBody(f.target(), f.perByte(), k);
        } else if (this instanceof Malformed f) {
            return new Malformed(f.target(), f.body(), k);
        } else if (this instanceof Oversize f) {
            return new Oversize(f.target(), f.bytes(), k);
        } else if (this instanceof Redirect f) {
            return new Redirect(f.target(), f.status(), f.location(), k);
        } else if (this instanceof ShrinkListing f) {
            return new ShrinkListing(f.dropFraction(), k);
        }
        throw new IllegalStateException("unknown fault " + this);
    }

    // ---- kinds ---------------------------------------------------------------------------------

    /** Answers {@code status} with a small JSON error body (401 also carries WWW-Authenticate). */
    record Status(Target target, int status, int times) implements Fault {
        public Status {
            Objects.requireNonNull(target, "target");
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("status must be 200..599, got " + status);
            }
        }
    }

    /** 429 with {@code Retry-After: retryAfterSeconds}. */
    record RateLimited(Target target, int retryAfterSeconds, int times) implements Fault {
        public RateLimited {
            Objects.requireNonNull(target, "target");
            if (retryAfterSeconds < 0) {
                throw new IllegalArgumentException("retryAfterSeconds must not be negative");
            }
        }
    }

    /**
     * Holds the request for {@code duration} before answering normally. It occupies one server
     * thread meanwhile; closing the simulator interrupts it.
     */
    record Hang(Target target, Duration duration, int times) implements Fault {
        public Hang {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /** Sends the status and headers at once, then the real body one byte per {@code perByte}. */
    record SlowBody(Target target, Duration perByte, int times) implements Fault {
        public SlowBody {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(perByte, "perByte");
        }
    }

    /** 200 with {@code Content-Type: application/json} and a body that does not parse. */
    record Malformed(Target target, String body, int times) implements Fault {
        public Malformed {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(body, "body");
        }
    }

    /** The normal JSON document padded to exactly {@code bytes} bytes, still valid JSON. */
    record Oversize(Target target, int bytes, int times) implements Fault {
        public Oversize {
            Objects.requireNonNull(target, "target");
            if (bytes < 64) {
                throw new IllegalArgumentException("bytes must be at least 64");
            }
        }
    }

    /** A 3xx with {@code Location: location}, e.g. towards a metadata service or another port. */
    record Redirect(Target target, int status, String location, int times) implements Fault {
        public Redirect {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(location, "location");
            if (status < 300 || status > 399) {
                throw new IllegalArgumentException("redirect status must be 3xx, got " + status);
            }
        }
    }

    /**
     * The listing leaves out {@code dropFraction} of the handles, evenly spread and always the same
     * ones, while their records stay reachable: what an index's shrink guard must distrust.
     * 1.0 is an empty listing.
     */
    record ShrinkListing(double dropFraction, int times) implements Fault {
        public ShrinkListing {
            if (!(dropFraction >= 0.0 && dropFraction <= 1.0)) {
                throw new IllegalArgumentException("dropFraction must be 0..1, got " + dropFraction);
            }
        }

        @Override
        public Target target() {
            return Target.listing();
        }
    }

    // ---- factories -----------------------------------------------------------------------------

    /** A default long enough to outlast any sane client timeout. */
    Duration DEFAULT_HANG = Duration.ofSeconds(30);

    static Fault status(Target target, int status) {
        return new Status(target, status, 0);
    }

    static Fault rateLimited(Target target, int retryAfterSeconds) {
        return new RateLimited(target, retryAfterSeconds, 0);
    }

    static Fault hang(Target target) {
        return new Hang(target, DEFAULT_HANG, 0);
    }

    static Fault hang(Target target, Duration duration) {
        return new Hang(target, duration, 0);
    }

    static Fault slowBody(Target target) {
        return new SlowBody(target, Duration.ofMillis(200), 0);
    }

    static Fault slowBody(Target target, Duration perByte) {
        return new SlowBody(target, perByte, 0);
    }

    /** A truncated document suited to the target (e.g. {@code {"handles": [} for the listing). */
    static Fault malformed(Target target) {
        String body = switch (target.resource()) {
            case LISTING -> "{\"handles\": [";
            case RECORD -> "{\"schema\": \"hive-registry-record-v1\", \"handle\": ";
            case CARD -> "{\"name\": \"Broken";
            case HEALTH -> "{\"ok\": tru";
        };
        return new Malformed(target, body, 0);
    }

    static Fault malformed(Target target, String body) {
        return new Malformed(target, body, 0);
    }

    /** One handle's card padded to 600,000 bytes, over the protocol's 512,000-byte card limit. */
    static Fault oversizeCard(String handle) {
        return new Oversize(Target.card(handle), 600_000, 0);
    }

    static Fault oversize(Target target, int bytes) {
        return new Oversize(target, bytes, 0);
    }

    static Fault redirect(Target target, String location) {
        return new Redirect(target, 302, location, 0);
    }

    /** The handle stays listed but its record answers 404. */
    static Fault missingRecord(String handle) {
        return new Status(Target.record(handle), 404, 0);
    }

    /** The handle stays listed but its record answers 410 Gone. */
    static Fault expiredRecord(String handle) {
        return new Status(Target.record(handle), 410, 0);
    }

    static Fault cardNotFound(String handle) {
        return new Status(Target.card(handle), 404, 0);
    }

    static Fault emptyListing() {
        return new ShrinkListing(1.0, 0);
    }

    static Fault shrinkListing(double dropFraction) {
        return new ShrinkListing(dropFraction, 0);
    }
}
