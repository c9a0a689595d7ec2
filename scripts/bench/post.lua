-- wrk script: POST xAPI statements, cycling through pre-generated bodies (one JSON document per line).
-- Adapted from the common peer load (shared/load/post.lua). The bodies carry no "id", so the LRS assigns a
-- fresh one to every statement and replaying a file never repeats an id.
-- env: BODIES=path.jsonl  AUTH="Basic ..."  XAPI_VERSION=1.0.3|2.0.0  STMTS_PER_REQ=1|100  PHASE_LABEL=text
local bodies = {}
local idx = 0
local threads = {}
local counter = 0
ok = 0; bad = 0; first_bad = ""

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("BODIES"), "r"))
  for line in f:lines() do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  f:close()
  -- threads start at different places in the file, so concurrent requests carry different statements
  idx = ((tid or 1) - 1) * math.floor(#bodies / 4)
  headers = {
    ["Content-Type"] = "application/json",
    ["X-Experience-API-Version"] = os.getenv("XAPI_VERSION") or "1.0.3",
    ["Authorization"] = os.getenv("AUTH"),
  }
end

function request()
  idx = idx % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[idx])
end

function response(status, hdrs, body)
  if status >= 200 and status < 300 then ok = ok + 1
  else
    bad = bad + 1
    if first_bad == "" then first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200) end
  end
end

function done(summary, latency, requests)
  local okc, badc, fb = 0, 0, ""
  for _, t in ipairs(threads) do
    okc = okc + (t:get("ok") or 0); badc = badc + (t:get("bad") or 0)
    local b = t:get("first_bad"); if fb == "" and b and b ~= "" then fb = b end
  end
  local per = tonumber(os.getenv("STMTS_PER_REQ") or "1")
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"label":"%s","requests":%d,"duration_s":%.2f,"req_per_s":%.1f,"stmts_per_req":%d,' ..
    '"ok_2xx":%d,"non_2xx":%d,"stmts_per_s_ok":%.1f,' ..
    '"lat_ms":{"p50":%.2f,"p90":%.2f,"p99":%.2f,"max":%.2f,"mean":%.2f},' ..
    '"sock_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"first_non_2xx":%q}\n',
    os.getenv("PHASE_LABEL") or "", summary.requests, secs, summary.requests / secs, per,
    okc, badc, okc * per / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.timeout, fb))
end
