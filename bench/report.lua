-- wrk script: send the request bench/run.py describes in the environment, count the
-- answers that are not the expected status, and print the figures as one JSON line.
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local cookie = os.getenv("BENCH_COOKIE")
local bearer = os.getenv("BENCH_BEARER")
local expected = tonumber(os.getenv("BENCH_STATUS") or "200")
-- BENCH_PATHS: one address per thread (e.g. one task each, so writers do not race).
local paths = {}
for path in string.gmatch(os.getenv("BENCH_PATHS") or "", "[^,]+") do table.insert(paths, path) end
unexpected = 0  -- a global: done() reads it from each thread
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  if #paths > 0 then thread:set("path", paths[(#threads - 1) % #paths + 1]) end
end

function init(args)
  wrk.method = method
  if body then
    wrk.body = body
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  if cookie then wrk.headers["Cookie"] = cookie end
  if bearer then wrk.headers["Authorization"] = "Bearer " .. bearer end
  if path then wrk.path = path end
end

function response(status, headers, body)
  if status ~= expected then unexpected = unexpected + 1 end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("unexpected") end
  local errors = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "socket_errors": %d, "unexpected_status": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.timeout, wrong))
end
