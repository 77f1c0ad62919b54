package io.marketplaceindex.api.ratelimit;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "192.0.2.1|192.0.2.1",
            "2001:db8:1:2::1|2001:db8:1:2::/64",
            "2001:0db8:0001:0002:ffff:ffff:ffff:ffff|2001:db8:1:2::/64",
            "[2001:db8:1:2::1]|2001:db8:1:2::/64",
            "fe80::1%eth0|fe80:0:0:0::/64",
            "::1|0:0:0:0::/64",
            "::ffff:192.0.2.1|192.0.2.1",
            "not:an:address|not:an:address",
            "example.org|example.org"})
    void ipv6AddressesAreCountedPerSlash64(String address, String client) {
        assertThat(ClientAddress.of(address)).isEqualTo(client);
    }
}
