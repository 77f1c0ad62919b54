-- The benchmarks' one done() hook, appended to every wrk script they run (WrkFigures reads what it prints):
-- one line "BENCH {json}" after wrk's own summary, with the percentiles (microseconds) and the errors by
-- kind. A script that counts responses keeps its per-thread counters in a table "threads" and sets
-- "count" (the read benchmark's bench.lua); without them the counts are 0 and "counted" false.

function done(summary, latency, requests)
  local h, m, o, b = 0, 0, 0, 0
  for _, t in ipairs(threads or {}) do
    h = h + (t:get("hits") or 0)
    m = m + (t:get("misses") or 0)
    o = o + (t:get("other") or 0)
    b = b + (t:get("bad") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,' ..
    '"non2xx3xx":%d,"counted":%s,"hits":%d,"misses":%d,"other_cache":%d,"non200":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write,
    e.timeout, e.status, tostring(count == true), h, m, o, b))
end
