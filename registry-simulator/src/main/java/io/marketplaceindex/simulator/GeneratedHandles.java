package io.marketplaceindex.simulator;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The handles of a registry's generated agents 0..n-1: {@code agent-NNNNN.<name>}, except six that
 * must be percent-encoded in a URL (with '/', '#', ':', ' ', non-ASCII, '+' and '%'). These take the
 * places of six generated handles, one in the middle of each sixth of the catalog (for 300 agents:
 * indexes 25, 75, 125, 175, 225, 275), so the agent count stays as asked.
 */
final class GeneratedHandles {

    private static final List<String> HOSTILE_PATTERNS = List.of(
            "team/agent-slash", "agent#hash", "urn:agent:colon", "agent with space", "agént/ünï 1",
            "agent+plus 100%");

    private final String registry;
    private final int count;
    private final Map<Integer, String> hostileByIndex;
    private final Map<String, Integer> hostileIndexByHandle;

    GeneratedHandles(String registry, int count) {
        this.registry = registry;
        this.count = count;
        Map<Integer, String> byIndex = new HashMap<>();
        Map<String, Integer> byHandle = new HashMap<>();
        int slots = HOSTILE_PATTERNS.size();
        if (count >= slots) {
            for (int k = 0; k < slots; k++) {
                // One in the middle of each sixth of the catalog, so neither "the first N agents"
                // nor the last ones are all hostile; 2k+1 over 12 keeps them distinct down to 6 agents.
                int index = (int) ((2L * k + 1) * count / (2L * slots));
                String handle = HOSTILE_PATTERNS.get(k) + "." + registry;
                byIndex.put(index, handle);
                byHandle.put(handle, index);
            }
        }
        this.hostileByIndex = Map.copyOf(byIndex);
        this.hostileIndexByHandle = Map.copyOf(byHandle);
    }

    int count() {
        return count;
    }

    /** The hostile handles in catalog order. */
    List<String> hostile() {
        return hostileByIndex.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .map(Map.Entry::getValue)
                .toList();
    }

    String handle(int index) {
        String hostile = hostileByIndex.get(index);
        if (hostile != null) {
            return hostile;
        }
        String digits = Integer.toString(index);
        StringBuilder sb = new StringBuilder(12 + registry.length()).append("agent-");
        for (int i = digits.length(); i < 5; i++) {
            sb.append('0');
        }
        return sb.append(digits).append('.').append(registry).toString();
    }

    /** The generated index behind a handle, accepting only the exact spelling the listing uses. */
    Optional<Integer> index(String handle) {
        Integer hostile = hostileIndexByHandle.get(handle);
        if (hostile != null) {
            return Optional.of(hostile);
        }
        String suffix = "." + registry;
        if (!handle.startsWith("agent-") || !handle.endsWith(suffix)) {
            return Optional.empty();
        }
        String digits = handle.substring(6, handle.length() - suffix.length());
        if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            return Optional.empty();
        }
        int index = Integer.parseInt(digits);
        if (index >= count || hostileByIndex.containsKey(index) || !handle(index).equals(handle)) {
            return Optional.empty();
        }
        return Optional.of(index);
    }
}
