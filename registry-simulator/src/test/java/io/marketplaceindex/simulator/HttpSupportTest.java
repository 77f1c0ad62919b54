package io.marketplaceindex.simulator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The simulator's URLs escape handles the way the index's client does; decoding gives them back. */
class HttpSupportTest {

    @Test
    void aSegmentKeepsOnlyUnreservedCharactersAndDecodesBack() {
        String handle = "acme/agent #1?x=+&ü😀";
        String encoded = HttpSupport.encodeSegment(handle);

        assertThat(encoded).isEqualTo("acme%2Fagent%20%231%3Fx%3D%2B%26%C3%BC%F0%9F%98%80");
        assertThat(HttpSupport.decode(encoded)).contains(handle);
        assertThat(HttpSupport.encodeSegment("A-z_0.9~")).isEqualTo("A-z_0.9~");
    }
}
