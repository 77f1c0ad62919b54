package io.marketplaceindex.agent;

/**
 * {@link AgentNormalizerPropertiesTest} at full strength: the integration tier runs its properties with
 * the tries failsafe gives jqwik ({@code jqwik.tries.default} in common's pom), the unit tier with a few
 * dozen so that it stays within its minute.
 */
class AgentNormalizerPropertiesIT extends AgentNormalizerPropertiesTest {
}
