package io.marketplaceindex.registry;

import org.apache.hc.client5.http.DnsResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SsrfGuardTest {

    private final SsrfGuard strict = new SsrfGuard(false, false);
    private final SsrfGuard loopbackOnly = new SsrfGuard(false, true);
    private final SsrfGuard permissive = new SsrfGuard(true, false);

    @ParameterizedTest(name = "{0}: default={1} loopback={2} private={3}")
    @CsvSource({
            // address,                     default, allowLoopback, allowPrivate
            "8.8.8.8,                        true,  true,  true",
            "1.1.1.1,                        true,  true,  true",
            "172.32.0.1,                     true,  true,  true",
            "172.15.255.255,                 true,  true,  true",
            "100.63.255.255,                 true,  true,  true",
            "100.128.0.1,                    true,  true,  true",
            "127.0.0.1,                      false, true,  true",
            "127.255.255.254,                false, true,  true",
            "0.0.0.0,                        false, false, false",
            "0.1.2.3,                        false, false, false",
            "10.0.0.1,                       false, false, true",
            "10.255.255.255,                 false, false, true",
            "172.16.0.1,                     false, false, true",
            "172.31.255.255,                 false, false, true",
            "192.168.1.1,                    false, false, true",
            "169.254.1.1,                    false, false, true",
            "169.254.169.254,                false, false, false",
            "169.254.170.2,                  false, false, false",
            "100.100.100.200,                false, false, false",
            "100.64.0.1,                     false, false, true",
            "100.127.255.255,                false, false, true",
            "224.0.0.1,                      false, false, false",
            "239.255.255.250,                false, false, false",
            "255.255.255.255,                false, false, false",
            "240.0.0.1,                      false, false, true",
            "192.0.2.1,                      false, false, true",
            "198.18.0.1,                     false, false, true",
            "2001:4860:4860::8888,           true,  true,  true",
            "2606:4700::1111,                true,  true,  true",
            "::1,                            false, true,  true",
            "::,                             false, false, false",
            "fe80::1,                        false, false, true",
            "febf:ffff::1,                   false, false, true",
            "fec0::1,                        false, false, true",
            "fc00::1,                        false, false, true",
            "fd12:3456::1,                   false, false, true",
            "fd00:ec2::254,                  false, false, false",
            "ff02::1,                        false, false, false",
            "::ffff:127.0.0.1,               false, true,  true",
            "::ffff:169.254.169.254,         false, false, false",
            "::ffff:10.0.0.1,                false, false, true",
            "::ffff:8.8.8.8,                 true,  true,  true",
            "::127.0.0.1,                    false, true,  true",
            "::a9fe:a9fe,                    false, false, false",
            "64:ff9b::a9fe:a9fe,             false, false, false",
            "64:ff9b::808:808,               true,  true,  true",
            "64:ff9b:1::1,                   false, false, true",
            "2002:c0a8:101::1,               false, false, true",
            "2002:808:808::1,                true,  true,  true",
            "2001:db8::1,                    false, false, true",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2, false, false, true",
    })
    void addressTable(String literal, boolean byDefault, boolean withLoopback, boolean withPrivate) throws Exception {
        InetAddress address = InetAddress.getByName(literal); // literals are parsed, never looked up

        assertThat(strict.isAllowed(address)).as("default").isEqualTo(byDefault);
        assertThat(loopbackOnly.isAllowed(address)).as("allowLoopback").isEqualTo(withLoopback);
        assertThat(permissive.isAllowed(address)).as("allowPrivateAddresses").isEqualTo(withPrivate);
    }

    @Test
    void mappedAddressesThatStayIpv6AreJudgedByTheirIpv4Part() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 169, (byte) 254, (byte) 169, (byte) 254};
        InetAddress address = Inet6Address.getByAddress(null, mapped, -1);

        assertThat(address).isInstanceOf(Inet6Address.class);
        assertThat(SsrfGuard.classify(address)).isEqualTo(SsrfGuard.AddressClass.CLOUD_METADATA);
        assertThat(permissive.isAllowed(address)).isFalse();
    }

    @Test
    void refusalReasonNamesTheRange() throws Exception {
        assertThat(strict.refusalReason(InetAddress.getByName("10.0.0.1"))).contains("private");
        assertThat(strict.refusalReason(InetAddress.getByName("169.254.169.254"))).contains("cloud-metadata");
        assertThat(strict.refusalReason(InetAddress.getByName("8.8.8.8"))).isEmpty();
    }

    @Test
    void resolverRefusesANameWithAnyForbiddenAnswer() throws Exception {
        DnsResolver rebinding = new FixedResolver(InetAddress.getByName("93.184.216.34"), InetAddress.getByName("10.0.0.7"));
        DnsResolver guarded = strict.resolver(rebinding);

        assertThatThrownBy(() -> guarded.resolve("registry.example"))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("registry.example")
                .hasMessageContaining("10.0.0.7");
        assertThatThrownBy(() -> guarded.resolve("registry.example", 443))
                .isInstanceOf(SsrfGuard.RefusedAddressException.class);
    }

    @Test
    void resolverPassesPublicAnswersThrough() throws Exception {
        InetAddress pub = InetAddress.getByName("93.184.216.34");
        DnsResolver guarded = strict.resolver(new FixedResolver(pub));

        assertThat(guarded.resolve("registry.example")).containsExactly(pub);
        assertThat(guarded.resolve("registry.example", 8443)).singleElement()
                .satisfies(a -> assertThat(a.getPort()).isEqualTo(8443));
    }

    /** A name with many addresses that drop connects must not stretch a request: only the first two are tried. */
    @Test
    void resolverHandsOutTheFirstTwoAddressesAfterVettingAll() throws Exception {
        InetAddress[] many = new InetAddress[8];
        for (int i = 0; i < many.length; i++) {
            many[i] = InetAddress.getByName("93.184.216." + (30 + i));
        }
        DnsResolver guarded = strict.resolver(new FixedResolver(many));

        assertThat(guarded.resolve("registry.example")).containsExactly(many[0], many[1]);
        assertThat(guarded.resolve("registry.example", 443)).hasSize(SsrfGuard.MAX_CONNECT_ADDRESSES);

        InetAddress[] lastForbidden = many.clone();
        lastForbidden[7] = InetAddress.getByName("10.0.0.7");
        assertThatThrownBy(() -> strict.resolver(new FixedResolver(lastForbidden)).resolve("registry.example"))
                .isInstanceOf(SsrfGuard.RefusedAddressException.class);
    }

    private record FixedResolver(InetAddress... answers) implements DnsResolver {
        @Override
        public InetAddress[] resolve(String host) {
            return answers.clone();
        }

        @Override
        public String resolveCanonicalHostname(String host) {
            return host;
        }
    }
}
