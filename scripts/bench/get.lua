-- wrk script: GET an xAPI URL (e.g. .../statements?limit=100) repeatedly. Same as the common peer load (shared/load/get.lua).
-- env: AUTH="Basic ..."  XAPI_VERSION=1.0.3|2.0.0  PHASE_LABEL=text  STMTS_PER_REQ=100 (expected statements per page)
local threads = {}
ok = 0; bad = 0; bytes = 0; first_bad = ""
function setup(thread) table.insert(threads, thread) end
function init(args)
  wrk.headers["X-Experience-API-Version"] = os.getenv("XAPI_VERSION") or "1.0.3"
  wrk.headers["Authorization"] = os.getenv("AUTH")
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
  local per = tonumber(os.getenv("STMTS_PER_REQ") or "100")
  local secs = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    '{"label":"%s","requests":%d,"duration_s":%.2f,"req_per_s":%.1f,"ok_2xx":%d,"non_2xx":%d,' ..
    '"avg_body_bytes":%.0f,"stmts_per_s_if_full_pages":%.1f,' ..
    '"lat_ms":{"p50":%.2f,"p90":%.2f,"p99":%.2f,"max":%.2f,"mean":%.2f},' ..
    '"sock_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"first_non_2xx":%q}\n',
    os.getenv("PHASE_LABEL") or "", summary.requests, secs, summary.requests / secs, okc, badc,
    (okc > 0) and (by / okc) or 0, okc * per / secs,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.timeout, fb))
end
