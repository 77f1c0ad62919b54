package io.marketplaceindex.secrets;

import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCipherTest {

    private static final UUID REGISTRY = UUID.randomUUID();
    private static final String OLD = key("k1");
    private static final String NEW = key("k2");

    static String key(String id) {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return id + ":" + Base64.getEncoder().encodeToString(bytes);
    }

    @Test
    void encryptsUnderTheCurrentKeyWithItsIdAndNeverTheSameTextTwice() {
        TokenCipher cipher = TokenCipher.of(OLD, null);
        String once = cipher.encrypt("s3cr3t-token", REGISTRY);
        String twice = cipher.encrypt("s3cr3t-token", REGISTRY);
        assertThat(once).startsWith("enc:v1:k1:").doesNotContain("s3cr3t").isNotEqualTo(twice);
        assertThat(TokenCipher.keyIdOf(once)).isEqualTo("k1");
        assertThat(cipher.decrypt(once, REGISTRY)).isEqualTo("s3cr3t-token");
        assertThat(cipher.decrypt(twice, REGISTRY)).isEqualTo("s3cr3t-token");
    }

    @Test
    void rotationDecryptsUnderThePreviousKeyAndReencryptsUnderTheNewOne() {
        String underOld = TokenCipher.of(OLD, null).encrypt("rotate-me", REGISTRY);
        TokenCipher rotated = TokenCipher.of(NEW, OLD);
        assertThat(rotated.decrypt(underOld, REGISTRY)).isEqualTo("rotate-me");
        assertThat(rotated.needsReencryption(underOld)).isTrue();

        String underNew = rotated.reencrypt(underOld, REGISTRY);
        assertThat(TokenCipher.keyIdOf(underNew)).isEqualTo("k2");
        assertThat(rotated.needsReencryption(underNew)).isFalse();
        assertThat(rotated.reencrypt(underNew, REGISTRY)).isSameAs(underNew);
        // once the old key is retired, the re-encrypted token still decrypts; the old form does not
        TokenCipher retired = TokenCipher.of(NEW, null);
        assertThat(retired.decrypt(underNew, REGISTRY)).isEqualTo("rotate-me");
        assertThatThrownBy(() -> retired.decrypt(underOld, REGISTRY))
                .isInstanceOf(TokenCipher.KeyNotConfiguredException.class).hasMessageContaining("'k1'");
    }

    @Test
    void plainTextTokensReadAsTheyAreAndAreEncryptedWhenAKeyExists() {
        assertThat(TokenCipher.none().decrypt("legacy-plain", REGISTRY)).isEqualTo("legacy-plain");
        assertThat(TokenCipher.none().needsReencryption("legacy-plain")).isFalse();
        TokenCipher cipher = TokenCipher.of(NEW, null);
        assertThat(cipher.needsReencryption("legacy-plain")).isTrue();
        String encrypted = cipher.reencrypt("legacy-plain", REGISTRY);
        assertThat(encrypted).startsWith("enc:v1:k2:");
        assertThat(cipher.decrypt(encrypted, REGISTRY)).isEqualTo("legacy-plain");
        assertThat(cipher.decrypt(null, REGISTRY)).isNull();
    }

    @Test
    void aTokenIsBoundToItsRegistryAndToItsBytes() {
        TokenCipher cipher = TokenCipher.of(OLD, null);
        String sealed = cipher.encrypt("bound", REGISTRY);
        assertThatThrownBy(() -> cipher.decrypt(sealed, UUID.randomUUID()))
                .isInstanceOf(TokenCipher.UndecryptableTokenException.class);
        char last = sealed.charAt(sealed.length() - 2);
        String altered = sealed.substring(0, sealed.length() - 2) + (last == 'A' ? 'B' : 'A') + sealed.charAt(sealed.length() - 1);
        assertThatThrownBy(() -> cipher.decrypt(altered, REGISTRY))
                .isInstanceOf(TokenCipher.UndecryptableTokenException.class);
        assertThatThrownBy(() -> cipher.decrypt("enc:v1:k1:AAAA", REGISTRY))
                .isInstanceOf(TokenCipher.UndecryptableTokenException.class);
        // same id, another key: refused, not garbage
        String otherK1 = key("k1");
        assertThatThrownBy(() -> TokenCipher.of(otherK1, null).decrypt(sealed, REGISTRY))
                .isInstanceOf(TokenCipher.UndecryptableTokenException.class);
    }

    @Test
    void withoutAKeyNothingIsEncrypted() {
        TokenCipher none = TokenCipher.of("  ", "");
        assertThat(none.canEncrypt()).isFalse();
        assertThatThrownBy(() -> none.encrypt("t", REGISTRY))
                .isInstanceOf(TokenCipher.KeyNotConfiguredException.class)
                .hasMessageContaining("MARKETPLACE_TOKEN_ENCRYPTION_KEY");
    }

    @Test
    void malformedKeysAreRefusedWithoutPrintingThem() {
        String shortKey = "k1:" + Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> TokenCipher.of(shortKey, null))
                .hasMessageContaining("16 bytes").hasMessageNotContaining(shortKey.substring(3));
        assertThatThrownBy(() -> TokenCipher.of("no-colon-here", null)).hasMessageContaining("<keyId>:<base64 key>");
        assertThatThrownBy(() -> TokenCipher.of("k1:not base64!", null)).hasMessageContaining("base64");
        assertThatThrownBy(() -> TokenCipher.of(OLD, OLD)).hasMessageContaining("twice");
        assertThat(TokenCipher.of(NEW, OLD).toString()).doesNotContain(NEW.substring(3)).contains("k2");
    }
}
