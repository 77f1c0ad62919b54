package io.marketplaceindex.secrets;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The registry-token cipher both services use. Keys come from the environment only
 * (MARKETPLACE_TOKEN_ENCRYPTION_KEY, MARKETPLACE_TOKEN_ENCRYPTION_PREVIOUS_KEYS); a malformed key stops
 * the service at start, with a reason that names the key id, never the key.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(TokenEncryptionConfiguration.TokenEncryptionProperties.class)
public class TokenEncryptionConfiguration {

    /**
     * @param key          {@code <keyId>:<base64 of 32 random bytes>}: new tokens are encrypted under it;
     *                     unset, the API refuses registry tokens (400) and everything else works
     * @param previousKeys comma-separated keys of the same form, still accepted for decryption (rotation)
     */
    @ConfigurationProperties("marketplace.token-encryption")
    public record TokenEncryptionProperties(String key, String previousKeys) {

        @Override
        public String toString() {
            return "TokenEncryptionProperties[key=" + (key == null || key.isBlank() ? "none" : "(redacted)") + "]";
        }
    }

    @Bean
    public TokenCipher tokenCipher(TokenEncryptionProperties properties) {
        return TokenCipher.of(properties.key(), properties.previousKeys());
    }
}
