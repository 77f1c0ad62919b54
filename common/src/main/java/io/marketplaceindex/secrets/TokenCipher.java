package io.marketplaceindex.secrets;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The one place where registry tokens are encrypted and decrypted: AES-256-GCM from the JDK, a fresh
 * 96-bit nonce per encryption, the registry id as associated data (a ciphertext copied onto another
 * registry does not decrypt there).
 *
 * <p>Stored and carried form: {@code enc:v1:<keyId>:<base64url(nonce || ciphertext || tag)>}. The key id
 * makes rotation possible: tokens are encrypted under the current key, and decrypted under whichever
 * configured key (current or previous) their key id names. A value without the {@code enc:} prefix is a
 * token stored in plain text before encryption existed; it is read as such, and re-encrypted by the
 * worker when a key is configured.
 */
public final class TokenCipher {

    public static final String PREFIX = "enc:v1:";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keys;
    private final SecureRandom random = new SecureRandom();

    private TokenCipher(String currentKeyId, Map<String, SecretKeySpec> keys) {
        this.currentKeyId = currentKeyId;
        this.keys = Map.copyOf(keys);
    }

    /**
     * @param currentKey   {@code <keyId>:<base64 of 32 bytes>}, or null/blank when none is configured
     * @param previousKeys comma-separated keys of the same form, accepted for decryption only
     * @throws IllegalArgumentException naming the key id (never the key) when a key is malformed
     */
    public static TokenCipher of(String currentKey, String previousKeys) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        String current = null;
        if (currentKey != null && !currentKey.isBlank()) {
            current = addKey(keys, currentKey.trim(), "the current key");
        }
        if (previousKeys != null) {
            for (String spec : previousKeys.split(",")) {
                if (!spec.isBlank()) {
                    addKey(keys, spec.trim(), "a previous key");
                }
            }
        }
        return new TokenCipher(current, keys);
    }

    /** No key at all: tokens can be neither encrypted nor decrypted (plain-text ones still read). */
    public static TokenCipher none() {
        return new TokenCipher(null, Map.of());
    }

    private static String addKey(Map<String, SecretKeySpec> keys, String spec, String which) {
        int colon = spec.indexOf(':');
        String id = colon < 0 ? "" : spec.substring(0, colon);
        if (!KEY_ID.matcher(id).matches()) {
            throw new IllegalArgumentException(which + " is not <keyId>:<base64 key> with a key id of 1-32 letters, "
                    + "digits, '.', '_' or '-'");
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(spec.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("key '" + id + "' is not valid base64");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException("key '" + id + "' has " + key.length + " bytes; AES-256 needs 32");
        }
        if (keys.putIfAbsent(id, new SecretKeySpec(key, "AES")) != null) {
            throw new IllegalArgumentException("key id '" + id + "' is configured twice");
        }
        return id;
    }

    /** Whether new tokens can be encrypted (a current key is configured). */
    public boolean canEncrypt() {
        return currentKeyId != null;
    }

    /** The id of the key new tokens are encrypted under, or null. */
    public String currentKeyId() {
        return currentKeyId;
    }

    public static boolean isEncrypted(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    /** The key id a stored token names, or null for a plain-text (or absent) token. */
    public static String keyIdOf(String stored) {
        if (!isEncrypted(stored)) {
            return null;
        }
        int end = stored.indexOf(':', PREFIX.length());
        return end < 0 ? null : stored.substring(PREFIX.length(), end);
    }

    /** Whether a stored token should be (re-)encrypted: plain text, or under a key other than the current one. */
    public boolean needsReencryption(String stored) {
        return stored != null && canEncrypt() && !currentKeyId.equals(keyIdOf(stored));
    }

    /**
     * @throws KeyNotConfiguredException when no current key is configured
     */
    public String encrypt(String plaintext, UUID registryId) {
        if (!canEncrypt()) {
            throw new KeyNotConfiguredException("no token encryption key is configured (MARKETPLACE_TOKEN_ENCRYPTION_KEY)");
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, keys.get(currentKeyId), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(associatedData(registryId));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = ByteBuffer.allocate(nonce.length + sealed.length).put(nonce).put(sealed).array();
            return PREFIX + currentKeyId + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /**
     * The token in clear, for a request to its registry only. A plain-text stored value is returned
     * as it is.
     *
     * @throws KeyNotConfiguredException when the key the token names is not configured
     * @throws UndecryptableTokenException when it does not decrypt (another registry's, altered, wrong key)
     */
    public String decrypt(String stored, UUID registryId) {
        if (stored == null || !isEncrypted(stored)) {
            return stored;
        }
        String keyId = keyIdOf(stored);
        SecretKeySpec key = keyId == null ? null : keys.get(keyId);
        if (key == null) {
            throw new KeyNotConfiguredException("the registry token is encrypted under key '" + keyId
                    + "', which is not configured (MARKETPLACE_TOKEN_ENCRYPTION_KEY / _PREVIOUS_KEYS)");
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(stored.substring(PREFIX.length() + keyId.length() + 1));
            if (in.length < NONCE_BYTES + TAG_BITS / 8) {
                throw new UndecryptableTokenException("the registry token's ciphertext is truncated");
            }
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData(registryId));
            return new String(cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (AEADBadTagException | IllegalArgumentException e) {
            throw new UndecryptableTokenException("the registry token does not decrypt under key '" + keyId
                    + "' for this registry");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JDK", e);
        }
    }

    /** The stored token under the current key (plain text is encrypted; the current key's are kept as they are). */
    public String reencrypt(String stored, UUID registryId) {
        return needsReencryption(stored) ? encrypt(decrypt(stored, registryId), registryId) : stored;
    }

    private static byte[] associatedData(UUID registryId) {
        return ByteBuffer.allocate(16).putLong(registryId.getMostSignificantBits())
                .putLong(registryId.getLeastSignificantBits()).array();
    }

    @Override
    public String toString() {
        return "TokenCipher[currentKeyId=" + currentKeyId + ", keyIds=" + keys.keySet() + "]";
    }

    /** A token cannot be encrypted or decrypted because its key is not configured. */
    public static final class KeyNotConfiguredException extends RuntimeException {
        public KeyNotConfiguredException(String message) {
            super(message);
        }
    }

    /** A stored token that its key does not decrypt. */
    public static final class UndecryptableTokenException extends RuntimeException {
        public UndecryptableTokenException(String message) {
            super(message);
        }
    }
}
