-- wrk script of scripts/bench-read. Requests cycle through the paths in the file given as the
-- first script argument (one path per line). Environment:
--   BENCH_DELAY_MS  pause between a response and the next request on a connection (not measured)
--   BENCH_COUNT     1: count X-Cache values and statuses per response (costs wrk CPU; latency runs only)
-- done() prints one line "BENCH {json}" with the percentiles (microseconds) and the counts.

local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local count = os.getenv("BENCH_COUNT") == "1"

local threads = {}
local paths = {}
local index = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(paths, line) end
  end
  index = (tid or 1) - 1
  hits = 0
  misses = 0
  other = 0
  bad = 0
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

if count then
  function response(status, headers, body)
    if status ~= 200 then bad = bad + 1 end
    local c = headers["X-Cache"] or headers["x-cache"]
    if c == "hit" then hits = hits + 1
    elseif c == "miss" then misses = misses + 1
    else other = other + 1 end
  end
end

function done(summary, latency, requests)
  local h, m, o, b = 0, 0, 0, 0
  for _, t in ipairs(threads) do
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
    e.timeout, e.status, tostring(count), h, m, o, b))
end
