-- wrk script: GET a path made from a random id out of a file, e.g. /api/people/{id}/profile with a random person.
-- env: IDS=file (one id a line)  PATH_FORMAT="/api/people/%s/profile"  AUTH="Basic ..."  PHASE_LABEL=text
--      XAPI_VERSION (sent as X-Experience-API-Version when set)
-- Prints one JSON summary line (2xx count, req/s, latency percentiles, average body size).
local threads = {}
local counter = 0
local ids = {}
ok = 0; bad = 0; bytes = 0; first_bad = ""

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("IDS"), "r"))
  for line in f:lines() do
    if #line > 0 then ids[#ids + 1] = line end
  end
  f:close()
  assert(#ids > 0, "no ids in " .. os.getenv("IDS"))
  -- each thread its own sequence, different on every run
  math.randomseed(os.time() * 1000 + (tid or 1) * 7919)
  fmt = os.getenv("PATH_FORMAT")
  wrk.headers["Authorization"] = os.getenv("AUTH")
  wrk.headers["Accept"] = "application/json"
  if os.getenv("XAPI_VERSION") then wrk.headers["X-Experience-API-Version"] = os.getenv("XAPI_VERSION") end
end

function request()
  return wrk.format("GET", string.format(fmt, ids[math.random(#ids)]))
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then ok = ok + 1; bytes = bytes + #(body or "")
  else
    bad = bad + 1
    if first_bad == "" then first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200) end
  end
end

function done(summary, latency, requests)
  local okc, badc, by, fb = 0, 0, 0, ""
  for _, t in ipairs(threads) do
    okc = okc + (t:get("ok") or 0); badc = badc + (t:get("bad") or 0); by = by + (t:get("bytes") or 0)
    local b = t:get("first_bad"); if fb == "" and b and b ~= "" then fb = b end
  end
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"label":"%s","requests":%d,"duration_s":%.2f,"req_per_s":%.1f,"ok_2xx":%d,"non_2xx":%d,"avg_body_bytes":%.0f,' ..
    '"lat_ms":{"p50":%.2f,"p90":%.2f,"p99":%.2f,"max":%.2f,"mean":%.2f},' ..
    '"sock_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"first_non_2xx":%q}\n',
    os.getenv("PHASE_LABEL") or "", summary.requests, secs, summary.requests / secs, okc, badc,
    (okc > 0) and (by / okc) or 0,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.timeout, fb))
end
