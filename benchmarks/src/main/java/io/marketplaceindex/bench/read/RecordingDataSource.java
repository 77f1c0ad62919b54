package io.marketplaceindex.bench.read;

import javax.sql.DataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Wraps a DataSource so that every statement the api-service repositories run is recorded: its SQL,
 * the parameter calls (to replay them under EXPLAIN ANALYZE) and the time spent executing it
 * (PgJDBC reads the whole result inside executeQuery when no fetch size is set, as here).
 */
final class RecordingDataSource {

    /** One executed statement. */
    static final class Executed {
        final String sql;
        final List<Object[]> calls = new ArrayList<>(); // {Method, Object[] args}
        double millis;

        Executed(String sql) {
            this.sql = sql;
        }

        /** Applies the recorded parameter calls to another statement with the same placeholders. */
        void bind(PreparedStatement target) throws Exception {
            for (Object[] call : calls) {
                ((Method) call[0]).invoke(target, (Object[]) call[1]);
            }
        }
    }

    private final List<Executed> log = new ArrayList<>();

    synchronized List<Executed> drain() {
        List<Executed> copy = new ArrayList<>(log);
        log.clear();
        return copy;
    }

    private synchronized void add(Executed e) {
        log.add(e);
    }

    DataSource wrap(DataSource target) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    return result instanceof Connection c ? connection(c) : result;
                });
    }

    private Connection connection(Connection target) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    Object result = invoke(target, method, args);
                    if (result instanceof PreparedStatement ps && method.getName().equals("prepareStatement")) {
                        return prepared(ps, (String) args[0]);
                    }
                    if (result instanceof Statement st && method.getName().equals("createStatement")) {
                        return plain(st);
                    }
                    return result;
                });
    }

    private PreparedStatement prepared(PreparedStatement target, String sql) {
        Executed executed = new Executed(sql);
        InvocationHandler handler = (proxy, method, args) -> {
            String name = method.getName();
            if (name.startsWith("set") && args != null && args.length >= 2 && args[0] instanceof Integer) {
                executed.calls.add(new Object[]{method, args});
            }
            if (name.startsWith("execute")) {
                long t0 = System.nanoTime();
                try {
                    return invoke(target, method, args);
                } finally {
                    executed.millis += (System.nanoTime() - t0) / 1e6;
                    add(executed);
                }
            }
            return invoke(target, method, args);
        };
        return (PreparedStatement) Proxy.newProxyInstance(PreparedStatement.class.getClassLoader(),
                new Class<?>[]{PreparedStatement.class}, handler);
    }

    private Statement plain(Statement target) {
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().startsWith("execute") && args != null && args.length >= 1 && args[0] instanceof String sql) {
                Executed executed = new Executed(sql);
                long t0 = System.nanoTime();
                try {
                    return invoke(target, method, args);
                } finally {
                    executed.millis = (System.nanoTime() - t0) / 1e6;
                    add(executed);
                }
            }
            return invoke(target, method, args);
        };
        return (Statement) Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[]{Statement.class},
                handler);
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
