-- wrk script for bench/load.py: rotates logged-in sessions and URLs, reports percentiles.
-- The requests file holds one request a line: METHOD<TAB>PATH<TAB>BODY (BODY may be empty).
local requests, cookies = {}, {}
local n, c = 0, 0

function init(args)
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    table.insert(requests, {method = method, path = path, body = body})
  end
  for line in io.lines(args[2]) do table.insert(cookies, line) end
  n = math.random(#requests)
end

function request()
  n = n % #requests + 1
  c = c % #cookies + 1
  local r = requests[n]
  local headers = {Cookie = cookies[c]}
  if r.method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["HX-Request"] = "true"
    headers["X-CSRFToken"] = cookies[c]:match("csrftoken=([^;]+)")
  end
  return wrk.format(r.method, r.path, headers, r.body ~= "" and r.body or nil)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50=%.1f p95=%.1f p99=%.1f errors=%d status_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    errors, summary.errors.status))
end
