package io.marketplaceindex.bench.read;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The raw SQL cost of each query kind, measured through the api-service's own repository classes
 * (CatalogRepository, RelevanceRepository with its dictionary SearchWords, TagFacetRepository, CountBudget
 * — taken from api-service.jar at run time, so the statements are exactly the ones the service runs,
 * with its count and candidate budgets), called the way CatalogService and TagFacetService call them on
 * a cache miss (mirrored here: which calls, in which order, sort=relevance's ranked page instead of page
 * and total, and CatalogService's "no count when the page shows the total"): no HTTP, no Redis, no JSON
 * rendering.
 * Each statement is also recorded and replayed under EXPLAIN (ANALYZE, BUFFERS) for the plans file.
 */
final class SqlProbe implements AutoCloseable {

    private static final String PKG = "io.marketplaceindex.api.catalog.";

    /** Timing of one kind: the repository calls of one cache miss, N times. */
    record Timing(String kind, List<Double> totalMillis, List<Double> pageMillis, List<Double> otherMillis,
                  List<String> plans, double explainMillis) {
    }

    private final HikariDataSource pool;
    private final RecordingDataSource recorder = new RecordingDataSource();
    private final AnnotationConfigApplicationContext context;
    private final Object catalog;
    private final Object facets;
    private final Object relevance;
    private final Method parse;

    SqlProbe(String url, String user, String password, String exactCountTimeout) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(2);
        // as the api-service's pool (application.yml): read-only at the server
        config.setReadOnly(true);
        config.setConnectionInitSql("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY");
        config.addDataSourceProperty("options", "-c plan_cache_mode=force_custom_plan");
        pool = new HikariDataSource(config);
        DataSource dataSource = recorder.wrap(pool);

        StandardEnvironment environment = new StandardEnvironment();
        if (exactCountTimeout != null) {
            environment.getPropertySources().addFirst(new MapPropertySource("bench",
                    Map.of("marketplace.catalog.exact-count-timeout", exactCountTimeout)));
        }
        Class<?> propertiesType = Class.forName(PKG + "CatalogProperties");
        Object properties = Binder.get(environment).bindOrCreate("marketplace.catalog", propertiesType);

        context = new AnnotationConfigApplicationContext();
        context.registerBean(DataSource.class, () -> dataSource);
        context.registerBean(JdbcClient.class, () -> JdbcClient.create(dataSource));
        context.registerBean(PlatformTransactionManager.class, () -> new DataSourceTransactionManager(dataSource));
        context.registerBean("readOnlyTx", TransactionTemplate.class, () -> {
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
            tx.setReadOnly(true);
            return tx;
        });
        context.registerBean(JsonMapper.class, () -> JsonMapper.builder().build());
        registerAs(context, propertiesType, properties);
        // every read runs under the service's statement timeout (ReadBudget), counts under their own
        Class<?> readPropertiesType = Class.forName("io.marketplaceindex.api.web.ReadProperties");
        registerAs(context, readPropertiesType, Binder.get(environment).bindOrCreate("marketplace.read", readPropertiesType));
        context.registerBean(Class.forName("io.marketplaceindex.api.web.ReadBudget"));
        context.registerBean(Class.forName(PKG + "CountBudget"));
        context.registerBean(Class.forName(PKG + "SubstringNarrowing"));
        context.registerBean(Class.forName(PKG + "NameWalk"));
        context.registerBean(Class.forName(PKG + "CatalogRepository"));
        context.registerBean(Class.forName(PKG + "TagFacetRepository"));
        // sort=relevance: its dictionary lookups and its candidate budget, as the service binds it
        Class<?> relevancePropertiesType = Class.forName(PKG + "RelevanceProperties");
        registerAs(context, relevancePropertiesType, Binder.get(environment).bindOrCreate("marketplace.search",
                relevancePropertiesType));
        context.registerBean(Class.forName(PKG + "SearchWords"));
        context.registerBean(Class.forName(PKG + "RelevanceRepository"));
        context.refresh();
        // the service samples trigram frequencies in the background right after it starts
        Object narrowing = context.getBean(Class.forName(PKG + "SubstringNarrowing"));
        narrowing.getClass().getMethod("refresh").invoke(narrowing);
        catalog = context.getBean(Class.forName(PKG + "CatalogRepository"));
        facets = context.getBean(Class.forName(PKG + "TagFacetRepository"));
        relevance = context.getBean(Class.forName(PKG + "RelevanceRepository"));
        parse = Class.forName(PKG + "CatalogQuery").getMethod("parse", String.class, String.class, String.class,
                String.class, String.class, String.class, String.class);
    }

    @SuppressWarnings("unchecked")
    private static <T> void registerAs(AnnotationConfigApplicationContext context, Class<T> type, Object bean) {
        context.registerBean(type, () -> (T) bean);
    }

    /** One cache miss of the kind's request, as the service runs it; returns the statements it executed. */
    List<RecordingDataSource.Executed> once(QueryKind kind, Map<String, String> params) throws Exception {
        recorder.drain();
        if (kind.endpoint() == QueryKind.Endpoint.TAGS) {
            facetsMiss(params);
        } else {
            catalogMiss(params);
        }
        return recorder.drain();
    }

    /** As TagFacetService.count on a cache miss (match=words travels as sort=relevance, as TagFacetController.parse sends it). */
    private void facetsMiss(Map<String, String> params) throws Exception {
        boolean words = "words".equals(params.get("match"));
        Object query = call(parse, null, null, null, words ? "relevance" : null, params.get("q"), params.get("tags"),
                params.get("registryUrl"), null);
        query = call(method(query, "withoutTags"), query);
        boolean filtered = (Boolean) call(method(query, "hasFilters"), query);
        if (!filtered) {
            call(method(facets, "all"), facets);
        } else {
            List<UUID> ids = registryIds(query);
            if (call(method(query, "registryUrl"), query) != null && ids.isEmpty()) {
                return;
            }
            Object result = call(method(facets, words ? "matchingWords" : "filtered", query.getClass(), List.class),
                    facets, query, ids);
            if (result instanceof java.util.Optional<?> o && o.isEmpty()) {
                call(method(facets, "all"), facets);
            }
        }
    }

    /** As CatalogService.query on a cache miss: the same repository calls, in the same order. */
    private void catalogMiss(Map<String, String> params) throws Exception {
        Object query = call(parse, null, params.get("limit"), params.get("offset"), params.get("sort"),
                params.get("q"), params.get("tags"), params.get("registryUrl"), params.get("cursor"));
        String url = (String) call(method(query, "registryUrl"), query);
        List<UUID> ids = registryIds(query);
        // no enabled registry has the URL, or no agent any of the tags: the service answers at once
        if (url != null && ids.isEmpty() || (Boolean) call(method(catalog, "noAgentHasAnyOf", List.class), catalog,
                call(method(query, "tags"), query))) {
            return;
        }
        if (((Enum<?>) call(method(query, "sort"), query)).name().equals("RELEVANCE")) {
            // the ranked page carries its total (a bounded count only past the last match)
            call(method(relevance, "page", query.getClass(), List.class), relevance, query, ids);
            return;
        }
        Object counted = call(method(catalog, "page", query.getClass(), List.class), catalog, query, ids);
        List<?> page = (List<?>) call(method(counted, "rows"), counted);
        // as CatalogService: the page's statement may have counted the matches; an offset page that
        // is not full already tells the total
        int limit = (Integer) call(method(query, "limit"), query);
        int offset = (Integer) call(method(query, "offset"), query);
        // (exact, or the walk's estimate, which the service answers with while it counts in the background)
        boolean shows = call(method(counted, "total"), counted) != null
                || call(method(query, "cursor"), query) == null && page.size() < limit && (page.size() > 0 || offset == 0);
        if (!shows) {
            call(method(catalog, "total", query.getClass(), List.class), catalog, query, ids);
        }
    }

    @SuppressWarnings("unchecked")
    private List<UUID> registryIds(Object query) throws Exception {
        String url = (String) call(method(query, "registryUrl"), query);
        return url == null ? List.of() : (List<UUID>) call(method(catalog, "registryIdsByUrl", String.class), catalog, url);
    }

    Timing time(QueryKind kind, List<Map<String, String>> variants, int runs, boolean explain) throws Exception {
        List<Double> totals = new ArrayList<>();
        List<Double> pages = new ArrayList<>();
        List<Double> others = new ArrayList<>();
        // one untimed pass over every variant: the first execution of a statement pays for planning
        // caches and cold buffers that a serving process has long paid
        for (Map<String, String> v : variants) {
            once(kind, v);
        }
        List<RecordingDataSource.Executed> last = List.of();
        for (int i = 0; i < runs; i++) {
            Map<String, String> v = variants.get(i % variants.size());
            long t0 = System.nanoTime();
            List<RecordingDataSource.Executed> executed = once(kind, v);
            totals.add((System.nanoTime() - t0) / 1e6);
            double page = executed.stream().filter(SqlProbe::isPage).mapToDouble(e -> e.millis).sum();
            pages.add(page);
            others.add(executed.stream().filter(e -> !isPage(e)).mapToDouble(e -> e.millis).sum());
            if (i == 0) {
                last = executed;
            }
        }
        List<String> plans = explain ? explain(last) : List.of();
        // the server's own execution time of the statements of one miss, as EXPLAIN ANALYZE reports it
        double explainMillis = 0;
        for (String plan : plans) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("Execution Time: ([0-9.]+) ms").matcher(plan);
            while (m.find()) {
                explainMillis += Double.parseDouble(m.group(1));
            }
        }
        return new Timing(kind.name(), totals, pages, others, plans, explainMillis);
    }

    private static boolean isPage(RecordingDataSource.Executed e) {
        return e.sql.contains("LIMIT ? OFFSET ?") || e.sql.contains("unnest(r.tags)") || e.sql.contains("FROM marketplace_tag_counts\n");
    }

    /**
     * EXPLAIN (ANALYZE, BUFFERS) of each recorded query, with its recorded time. One transaction for
     * them all, as the service reads a page in one: the settings its statements make local to it
     * (sort=relevance's scan settings, say) apply to the statements explained after them.
     */
    private List<String> explain(Collection<RecordingDataSource.Executed> executed) throws Exception {
        List<String> plans = new ArrayList<>();
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                for (RecordingDataSource.Executed e : executed) {
                    plans.add(explain(c, e));
                }
            } finally {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
        return plans;
    }

    private static String explain(Connection c, RecordingDataSource.Executed e) throws Exception {
        String sql = e.sql.strip();
        StringBuilder out = new StringBuilder();
        out.append("-- ").append(String.format(java.util.Locale.ROOT, "%.2f ms as run by the service", e.millis))
                .append('\n').append(sql).append('\n');
        if (sql.contains("set_config")) {
            // applied as recorded; the statement timeout is set below for each EXPLAIN anyway
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                e.bind(ps);
                ps.execute();
            }
            return out.append("(applied, not explained)\n").toString();
        }
        // queries only (sort=relevance's page is a WITH query); the pool is read-only besides
        boolean query = sql.regionMatches(true, 0, "SELECT", 0, 6) || sql.regionMatches(true, 0, "WITH", 0, 4);
        if (!query) {
            return out.append("(not explained)\n").toString();
        }
        try (Statement st = c.createStatement()) {
            st.execute("SET LOCAL statement_timeout = '30s'");
        }
        // a savepoint, so that a failed EXPLAIN leaves the transaction usable for the next one
        Savepoint before = c.setSavepoint();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN (ANALYZE, BUFFERS) " + sql)) {
            e.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.append(rs.getString(1)).append('\n');
                }
            }
            c.releaseSavepoint(before);
        } catch (Exception ex) {
            c.rollback(before);
            out.append("EXPLAIN ANALYZE failed: ").append(ex.getMessage()).append('\n');
        }
        return out.toString();
    }

    private static Method method(Object target, String name, Class<?>... types) throws NoSuchMethodException {
        Method m = target.getClass().getDeclaredMethod(name, types);
        m.setAccessible(true);
        return m;
    }

    private static Object call(Method m, Object target, Object... args) throws Exception {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    @Override
    public void close() {
        context.close();
        pool.close();
    }
}
