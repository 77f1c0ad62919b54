package io.marketplaceindex.registry;

import io.marketplaceindex.registry.RegistryFetchException.Kind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.hc.client5.http.SystemDefaultDnsResolver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Cloud metadata endpoints stay refused in every form an address can take, whether or not private
 * addresses are allowed (they are for local runs and tests). Three layers are checked: the guard's
 * judgement of each address, what the system resolver makes of each host spelling (the guard sees
 * only resolved addresses), and what the client does with each URL: refused before any connection,
 * or not a URL at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CloudMetadataFormsTest {

    /** AWS/GCP/Azure/OpenStack IMDS, AWS ECS task credentials, Alibaba Cloud, Oracle Cloud. */
    private static final List<String> METADATA_V4 = List.of("169.254.169.254", "169.254.170.2", "100.100.100.200",
            "192.0.0.192");
    /** AWS IMDS over IPv6, Google Compute Engine over IPv6. */
    private static final List<String> METADATA_V6 = List.of("fd00:ec2::254", "fd20:ce::254");

    private RegistryClient strictClient;
    private RegistryClient permissiveClient;

    @BeforeAll
    void clients() {
        strictClient = client(false);
        permissiveClient = client(true);
    }

    @AfterAll
    void close() {
        strictClient.close();
        permissiveClient.close();
    }

    private static RegistryClient client(boolean allowPrivate) {
        // A long connect timeout: a form that slipped through would hang visibly instead of failing fast.
        return new RegistryClient(RegistryClientSettings.of(Map.of("allow-private-addresses", allowPrivate,
                "allow-loopback", allowPrivate, "max-retries", 0, "connect-timeout", "10s",
                "total-request-deadline", "15s")), new SimpleMeterRegistry());
    }

    /** Every textual IPv4 and IPv6 form of every metadata address that an address parser accepts. */
    static Stream<Arguments> addressForms() {
        List<Arguments> forms = new ArrayList<>();
        for (String v4 : METADATA_V4) {
            String[] p = v4.split("\\.");
            String hi = hex16(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
            String lo = hex16(Integer.parseInt(p[2]), Integer.parseInt(p[3]));
            forms.add(Arguments.of("IPv4", v4));
            forms.add(Arguments.of("IPv4-mapped", "::ffff:" + v4));
            forms.add(Arguments.of("IPv4-mapped, hex", "::ffff:" + hi + ":" + lo));
            forms.add(Arguments.of("IPv4-mapped, expanded", "0:0:0:0:0:ffff:" + hi + ":" + lo));
            forms.add(Arguments.of("IPv4-compatible", "::" + v4));
            forms.add(Arguments.of("IPv4-compatible, hex", "::" + hi + ":" + lo));
            forms.add(Arguments.of("IPv4-translated (SIIT)", "::ffff:0:" + v4));
            forms.add(Arguments.of("NAT64 64:ff9b::/96", "64:ff9b::" + v4));
            forms.add(Arguments.of("NAT64, hex", "64:ff9b::" + hi + ":" + lo));
            forms.add(Arguments.of("6to4 2002::/16", "2002:" + hi + ":" + lo + "::"));
            forms.add(Arguments.of("6to4 with host part", "2002:" + hi + ":" + lo + ":1::1"));
        }
        for (String v6 : METADATA_V6) {
            forms.add(Arguments.of("IPv6", v6));
            forms.add(Arguments.of("IPv6, upper case", v6.toUpperCase(Locale.ROOT)));
            forms.add(Arguments.of("IPv6, expanded with zeros", expand(v6)));
        }
        return forms.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("addressForms")
    void everyAddressFormIsCloudMetadataAndRefusedWithOrWithoutPrivateAddresses(String form, String literal)
            throws UnknownHostException {
        InetAddress address = InetAddress.getByName(literal); // a literal: parsed, never looked up

        assertThat(SsrfGuard.classify(address)).isEqualTo(SsrfGuard.AddressClass.CLOUD_METADATA);
        assertThat(new SsrfGuard(false, false).refusalReason(address)).contains("cloud-metadata");
        assertThat(new SsrfGuard(false, true).refusalReason(address)).contains("cloud-metadata");
        assertThat(new SsrfGuard(true, true).refusalReason(address)).contains("cloud-metadata");
    }

    /**
     * Host spellings as they reach the resolver the client installs. Whatever the system resolver makes
     * of them, the guard judges the address it produced: no spelling yields a usable address.
     */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("hostSpellings")
    void everyHostSpellingIsRefusedOrUnresolvable(String form, String host) {
        for (boolean allowPrivate : new boolean[] {false, true}) {
            var resolver = new SsrfGuard(allowPrivate, allowPrivate).resolver(SystemDefaultDnsResolver.INSTANCE);
            UnknownHostException e = catchThrowableOfType(UnknownHostException.class, () -> resolver.resolve(host));
            assertThat(e).as(host + " with private addresses " + (allowPrivate ? "allowed" : "refused")).isNotNull();
            if (e instanceof SsrfGuard.RefusedAddressException refused) {
                assertThat(refused.reason()).isEqualTo("cloud-metadata");
            }
        }
    }

    static Stream<Arguments> hostSpellings() {
        return Stream.of(
                Arguments.of("dotted decimal", "169.254.169.254"),
                Arguments.of("one decimal number", "2852039166"),
                Arguments.of("one hex number", "0xA9FEA9FE"),
                Arguments.of("dotted hex", "0xa9.0xfe.0xa9.0xfe"),
                Arguments.of("dotted octal", "0251.0376.0251.0376"),
                Arguments.of("one octal part", "0251.254.169.254"),
                Arguments.of("one octal number", "025177524776"),
                Arguments.of("three parts", "169.254.43518"),
                Arguments.of("two parts", "169.16689662"),
                Arguments.of("trailing dot", "169.254.169.254."),
                Arguments.of("ECS, one decimal number", "2852039170"),
                Arguments.of("Alibaba, one decimal number", "1684301000"),
                Arguments.of("Oracle, one decimal number", "3221225664"),
                Arguments.of("IPv4-mapped", "::ffff:169.254.169.254"),
                Arguments.of("NAT64", "64:ff9b::a9fe:a9fe"),
                Arguments.of("6to4", "2002:a9fe:a9fe::"),
                Arguments.of("GCP IPv6", "fd20:ce::254"),
                Arguments.of("AWS IPv6", "fd00:ec2::254"));
    }

    /** What the client does with each URL: refused before connecting, or refused as a URL. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("urlForms")
    void noUrlFormReachesAMetadataEndpoint(String form, String url) {
        for (RegistryClient client : List.of(strictClient, permissiveClient)) {
            long started = System.nanoTime();
            RegistryFetchException e = catchThrowableOfType(RegistryFetchException.class,
                    () -> client.cardFetch(new RegistryEndpoint("reg-metadata", "https://registry.example", null), url,
                            null, null));

            assertThat(e).as(url).isNotNull();
            assertThat(Set.of(Kind.REFUSED_ADDRESS, Kind.MALFORMED, Kind.IO)).as(e.getMessage()).contains(e.kind());
            if (e.kind() == Kind.IO) {
                assertThat(e.getMessage()).as("never a connection attempt").startsWith("unknown host");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("no connection attempted")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    static Stream<Arguments> urlForms() {
        return Stream.of(
                Arguments.of("IPv4", "http://169.254.169.254/latest/meta-data/"),
                Arguments.of("IPv4 with port", "http://169.254.169.254:80/latest/meta-data/"),
                Arguments.of("https", "https://169.254.169.254/latest/meta-data/"),
                Arguments.of("ECS", "http://169.254.170.2/v2/credentials/"),
                Arguments.of("Alibaba", "http://100.100.100.200/latest/meta-data/"),
                Arguments.of("Oracle", "http://192.0.0.192/opc/v2/instance/"),
                Arguments.of("one decimal number", "http://2852039166/latest/meta-data/"),
                Arguments.of("one hex number", "http://0xA9FEA9FE/latest/meta-data/"),
                Arguments.of("dotted hex", "http://0xa9.0xfe.0xa9.0xfe/latest/meta-data/"),
                Arguments.of("dotted octal", "http://0251.0376.0251.0376/latest/meta-data/"),
                Arguments.of("one octal part", "http://0251.254.169.254/latest/meta-data/"),
                Arguments.of("three parts", "http://169.254.43518/latest/meta-data/"),
                Arguments.of("two parts", "http://169.16689662/latest/meta-data/"),
                Arguments.of("trailing dot", "http://169.254.169.254./latest/meta-data/"),
                Arguments.of("percent-encoded host", "http://%31%36%39.254.169.254/latest/meta-data/"),
                Arguments.of("ideographic full stops", "http://169\u3002254\u3002169\u3002254/latest/meta-data/"),
                Arguments.of("user info before the host", "http://registry.example@169.254.169.254/latest/meta-data/"),
                Arguments.of("IPv4-mapped", "http://[::ffff:169.254.169.254]/latest/meta-data/"),
                Arguments.of("IPv4-mapped, hex", "http://[::ffff:a9fe:a9fe]/latest/meta-data/"),
                Arguments.of("IPv4-compatible", "http://[::169.254.169.254]/latest/meta-data/"),
                Arguments.of("IPv4-translated (SIIT)", "http://[::ffff:0:a9fe:a9fe]/latest/meta-data/"),
                Arguments.of("NAT64", "http://[64:ff9b::a9fe:a9fe]/latest/meta-data/"),
                Arguments.of("6to4", "http://[2002:a9fe:a9fe::1]/latest/meta-data/"),
                Arguments.of("AWS IPv6", "http://[fd00:ec2::254]/latest/meta-data/"),
                Arguments.of("GCP IPv6", "http://[fd20:ce::254]/computeMetadata/v1/"),
                Arguments.of("GCP IPv6, expanded", "http://[FD20:00CE:0000:0000:0000:0000:0000:0254]/computeMetadata/v1/"),
                Arguments.of("IPv6 with zone", "http://[fd20:ce::254%25eth0]/computeMetadata/v1/"));
    }

    private static String hex16(int a, int b) {
        return Integer.toHexString((a << 8) | b);
    }

    private static String expand(String v6) {
        try {
            byte[] b = InetAddress.getByName(v6).getAddress();
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 16; i += 2) {
                sb.append(i == 0 ? "" : ":").append(String.format("%04x", ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff)));
            }
            return sb.toString();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
