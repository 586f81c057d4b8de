-- One wrk script for every measurement, configured from the environment so that each
-- figure is taken in exactly the same way:
--   WRK_METHOD  GET or POST (default GET)
--   WRK_BODY    request body (form-urlencoded), if any
--   WRK_AUTH    value of the Authorization header, if any
--   WRK_CTYPE   Content-Type (default application/x-www-form-urlencoded when there is a body)
-- It counts every response whose status is not 2xx (wrk's own count lets 3xx through)
-- and prints one machine-readable line at the end, which run.sh parses and checks.

wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
   wrk.body = body
   wrk.headers["Content-Type"] = os.getenv("WRK_CTYPE") or "application/x-www-form-urlencoded"
end
local auth = os.getenv("WRK_AUTH")
if auth and auth ~= "" then
   wrk.headers["Authorization"] = auth
end

-- Each wrk thread runs its own Lua state: keep the threads so done() can add up
-- their counters.
local threads = {}
function setup(thread)
   table.insert(threads, thread)
end

non2xx = 0
first_bad = nil
function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_bad == nil then
         first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local bad, sample = 0, nil
   for _, t in ipairs(threads) do
      bad = bad + t:get("non2xx")
      sample = sample or t:get("first_bad")
   end
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d rps=%.1f non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p99_us=%d\n",
      summary.requests, summary.duration, summary.requests / (summary.duration / 1e6), bad,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99)))
   if sample then
      io.write("BENCH first non-2xx response: " .. string.gsub(sample, "\n", " ") .. "\n")
   end
end
