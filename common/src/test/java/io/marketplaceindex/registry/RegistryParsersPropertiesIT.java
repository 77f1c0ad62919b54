package io.marketplaceindex.registry;

/**
 * {@link RegistryParsersPropertiesTest} at full strength: the integration tier runs its property with
 * the tries failsafe gives jqwik ({@code jqwik.tries.default} in common's pom), the unit tier with a few
 * dozen so that it stays within its minute.
 */
class RegistryParsersPropertiesIT extends RegistryParsersPropertiesTest {
}
