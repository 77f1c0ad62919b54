package io.marketplaceindex.registry;

import org.apache.hc.client5.http.DnsResolver;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides which network addresses a registry may make us contact. Registry URLs, card URLs and
 * redirect targets all come from parties we do not control, so without this guard a registry
 * could point the indexer at the cloud metadata service or at internal hosts.
 *
 * <p>The guard is installed as the HTTP client's {@link DnsResolver} ({@link #resolver}), so the
 * addresses it vets are exactly the addresses the socket then connects to: there is no second
 * lookup an attacker's DNS could answer differently (DNS rebinding). Literal IP hosts take the
 * same path, since the resolver parses them without a lookup. This only holds while the client
 * connects directly; routed through a proxy, the proxy would resolve the target instead.
 *
 * <p>Policy, by {@link AddressClass}: public addresses are allowed; loopback when
 * {@code allowLoopback} or {@code allowPrivateAddresses}; private, link-local, CGNAT, unique-local
 * and reserved ranges only when {@code allowPrivateAddresses}; cloud metadata endpoints
 * (169.254.169.254, 169.254.170.2, 100.100.100.200, 192.0.0.192, fd00:ec2::254, fd20:ce::254),
 * unspecified (0.0.0.0/8, ::), multicast and broadcast never, because none of them is a
 * legitimate registry and metadata is the classic SSRF prize even on private deployments.
 * IPv6 forms that embed an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the
 * embedded address.
 */
public final class SsrfGuard {

    /** What an address is, as far as reaching it from the indexer goes. */
    public enum AddressClass {
        PUBLIC, LOOPBACK, PRIVATE, LINK_LOCAL, CGNAT, RESERVED, CLOUD_METADATA, UNSPECIFIED, MULTICAST, BROADCAST
    }

    private final boolean allowPrivateAddresses;
    private final boolean allowLoopback;

    public SsrfGuard(boolean allowPrivateAddresses, boolean allowLoopback) {
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.allowLoopback = allowLoopback;
    }

    public static SsrfGuard from(RegistryClientSettings settings) {
        return new SsrfGuard(settings.allowPrivateAddresses(), settings.allowLoopback());
    }

    public boolean isAllowed(InetAddress address) {
        return refusalReason(address).isEmpty();
    }

    /** Empty when the address may be contacted, else a short reason such as "link-local". */
    public Optional<String> refusalReason(InetAddress address) {
        AddressClass c = classify(address);
        boolean allowed = switch (c) {
            case PUBLIC -> true;
            case LOOPBACK -> allowLoopback || allowPrivateAddresses;
            case PRIVATE, LINK_LOCAL, CGNAT, RESERVED -> allowPrivateAddresses;
            case CLOUD_METADATA, UNSPECIFIED, MULTICAST, BROADCAST -> false;
        };
        return allowed ? Optional.empty() : Optional.of(c.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** Wraps {@code delegate} so that every resolved address is vetted before it is used. */
    public DnsResolver resolver(DnsResolver delegate) {
        return new GuardedResolver(delegate);
    }

    public static AddressClass classify(InetAddress address) {
        Objects.requireNonNull(address, "address");
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            return classifyV4(b);
        }
        if (address instanceof Inet6Address) {
            return classifyV6(b);
        }
        // Some future address family: refuse rather than guess.
        return AddressClass.RESERVED;
    }

    private static AddressClass classifyV4(byte[] b) {
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        int a3 = b[3] & 0xff;
        // Checked before their enclosing ranges: AWS/GCP/Azure/OpenStack, AWS ECS, Alibaba, Oracle.
        if ((a0 == 169 && a1 == 254 && a2 == 169 && a3 == 254)
                || (a0 == 169 && a1 == 254 && a2 == 170 && a3 == 2)
                || (a0 == 100 && a1 == 100 && a2 == 100 && a3 == 200)
                || (a0 == 192 && a1 == 0 && a2 == 0 && a3 == 192)) {
            return AddressClass.CLOUD_METADATA;
        }
        if (a0 == 0) {
            return AddressClass.UNSPECIFIED;
        }
        if (a0 == 127) {
            return AddressClass.LOOPBACK;
        }
        if (a0 == 10 || (a0 == 172 && (a1 & 0xf0) == 16) || (a0 == 192 && a1 == 168)) {
            return AddressClass.PRIVATE;
        }
        if (a0 == 169 && a1 == 254) {
            return AddressClass.LINK_LOCAL;
        }
        if (a0 == 100 && (a1 & 0xc0) == 64) {
            return AddressClass.CGNAT;
        }
        if (a0 == 255 && a1 == 255 && a2 == 255 && a3 == 255) {
            return AddressClass.BROADCAST;
        }
        if ((a0 & 0xf0) == 224) {
            return AddressClass.MULTICAST;
        }
        if ((a0 & 0xf0) == 240 // reserved for future use
                || (a0 == 192 && a1 == 0 && a2 == 0) // IETF protocol assignments
                || (a0 == 192 && a1 == 0 && a2 == 2) // TEST-NET-1
                || (a0 == 192 && a1 == 88 && a2 == 99) // 6to4 relay anycast
                || (a0 == 198 && (a1 & 0xfe) == 18) // benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100) // TEST-NET-2
                || (a0 == 203 && a1 == 0 && a2 == 113)) { // TEST-NET-3
            return AddressClass.RESERVED;
        }
        return AddressClass.PUBLIC;
    }

    private static AddressClass classifyV6(byte[] b) {
        if (isZero(b, 0, 16)) {
            return AddressClass.UNSPECIFIED;
        }
        if (isZero(b, 0, 15) && b[15] == 1) {
            return AddressClass.LOOPBACK;
        }
        // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (SIIT) and ::a.b.c.d (deprecated compatible)
        boolean mapped = isZero(b, 0, 10) && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean siit = isZero(b, 0, 8) && (b[8] & 0xff) == 0xff && (b[9] & 0xff) == 0xff && isZero(b, 10, 12);
        boolean compatible = isZero(b, 0, 12);
        boolean nat64 = u16(b, 0) == 0x0064 && u16(b, 2) == 0xff9b && isZero(b, 4, 12);
        if (mapped || siit || compatible || nat64) {
            return classifyV4(new byte[] {b[12], b[13], b[14], b[15]});
        }
        if (u16(b, 0) == 0x2002) { // 6to4 carries the IPv4 address in bits 16..47
            return classifyV4(new byte[] {b[2], b[3], b[4], b[5]});
        }
        if (isMetadataV6(b)) {
            return AddressClass.CLOUD_METADATA;
        }
        int first = b[0] & 0xff;
        if (first == 0xff) {
            return AddressClass.MULTICAST;
        }
        if (first == 0xfe && (b[1] & 0xc0) == 0x80) {
            return AddressClass.LINK_LOCAL;
        }
        if (first == 0xfe && (b[1] & 0xc0) == 0xc0) { // deprecated site-local fec0::/10
            return AddressClass.PRIVATE;
        }
        if ((first & 0xfe) == 0xfc) { // unique-local fc00::/7
            return AddressClass.PRIVATE;
        }
        if (u16(b, 0) == 0x0064 && u16(b, 2) == 0xff9b && u16(b, 4) == 0x0001) { // local-use NAT64
            return AddressClass.PRIVATE;
        }
        if ((u16(b, 0) == 0x0100 && isZero(b, 2, 8)) // discard-only 100::/64
                || (u16(b, 0) == 0x2001 && u16(b, 2) == 0x0db8) // documentation
                || (u16(b, 0) == 0x2001 && u16(b, 2) == 0x0000)) { // Teredo hides an IPv4 peer
            return AddressClass.RESERVED;
        }
        return AddressClass.PUBLIC;
    }

    /**
     * The IPv6 metadata endpoints: fd00:ec2::254 (AWS IMDS) and fd20:ce::254 (Google Compute Engine).
     * Both sit inside unique-local fc00::/7, which private deployments allow, so they are named here.
     */
    private static boolean isMetadataV6(byte[] b) {
        if (!isZero(b, 4, 14) || b[14] != 0x02 || (b[15] & 0xff) != 0x54) { // ...::254
            return false;
        }
        int prefix = u16(b, 0);
        int second = u16(b, 2);
        return (prefix == 0xfd00 && second == 0x0ec2) || (prefix == 0xfd20 && second == 0x00ce);
    }

    private static boolean isZero(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private void vet(String host, InetAddress[] addresses) throws RefusedAddressException {
        // Refuse the whole name when any answer is forbidden: a host that mixes public and
        // internal answers is either misconfigured or probing us.
        for (InetAddress address : addresses) {
            Optional<String> reason = refusalReason(address);
            if (reason.isPresent()) {
                throw new RefusedAddressException(host, address, reason.get());
            }
        }
    }

    /**
     * Addresses of one name that a connection tries. HttpClient tries a name's addresses one after the
     * other, each with the full connect timeout, and a request's deadline cancels only the attempt in
     * progress: a host answering with many addresses that drop connects would stretch a request far past
     * its deadline. Two still cover a dual-stack host and one failed address.
     */
    static final int MAX_CONNECT_ADDRESSES = 2;

    private final class GuardedResolver implements DnsResolver {
        private final DnsResolver delegate;

        GuardedResolver(DnsResolver delegate) {
            this.delegate = Objects.requireNonNull(delegate, "delegate");
        }

        /** Every answer is vetted (one forbidden address refuses the name); the first few are tried. */
        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            InetAddress[] addresses = delegate.resolve(host);
            vet(host, addresses);
            return addresses.length <= MAX_CONNECT_ADDRESSES ? addresses : Arrays.copyOf(addresses, MAX_CONNECT_ADDRESSES);
        }

        @Override
        public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
            InetAddress[] addresses = resolve(host);
            List<InetSocketAddress> result = new ArrayList<>(addresses.length);
            for (InetAddress address : addresses) {
                result.add(new InetSocketAddress(address, port));
            }
            return result;
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            return delegate.resolveCanonicalHostname(host);
        }
    }

    /**
     * Thrown from inside the connection attempt. It is an {@link UnknownHostException} because
     * that is what the resolver contract lets us throw; the client recognises it by type.
     */
    static final class RefusedAddressException extends UnknownHostException {
        private final String reason;

        RefusedAddressException(String host, InetAddress address, String reason) {
            super("refused to connect to " + host + " (" + address.getHostAddress() + "): " + reason
                    + " addresses are not allowed");
            this.reason = reason;
        }

        String reason() {
            return reason;
        }
    }
}
