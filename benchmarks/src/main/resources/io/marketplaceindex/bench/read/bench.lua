-- wrk script of scripts/bench-read. Requests cycle through the paths in the file given as the
-- first script argument (one path per line). Environment:
--   BENCH_DELAY_MS  pause between a response and the next request on a connection (not measured)
--   BENCH_COUNT     1: count X-Cache values and statuses per response (costs wrk CPU; latency runs only)
-- The done() hook that prints the figures (support/wrk-done.lua) is appended to this script when it is written.

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
