-- wrk script of the ingest load benchmark (bench/ingest_load.py): posts pre-made gzip beacon bodies,
-- each request a different body, closed loop or paced to a total rate, and reports what came back.
--
-- wrk -t T -c C -d D -s ingest_load.lua URL -- PACK INDEX FIRST LAST WRAP BUDGET_S RATE ORIGIN DONE_DIR
--   PACK, INDEX  the bodies, back to back, and one "offset length" line per body
--   FIRST, LAST  the bodies [FIRST, LAST) this run may send; thread t takes every T-th, from FIRST + t
--   WRAP         1: start again from the first body when all were sent (stateless targets); 0: stop
--   BUDGET_S     stop sending new bodies this many seconds after the first one
--   RATE         total requests per second over all threads (delay() paces them); 0: closed loop
--   DONE_DIR     each thread writes a file there once every request it sent was answered
--
-- A thread never abandons a request: when it stops sending (budget spent or bodies exhausted), its idle
-- connections send nothing and it waits for the answers still due, then stops. So every beacon sent is
-- answered, and the acknowledged count can be compared with what the server stored. The driver stops
-- wrk (SIGINT) once every thread is done; rates are measured here from the first send to the last
-- answer, since wrk's own Requests/sec divides by its whole run time.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local timespec = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC: one clock for every thread of this process
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

-- main state: number the threads, gather their figures at the end

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function json_number(value)
  if value == nil then return "null" end
  return string.format("%.3f", value)
end

function done(summary, latency, requests)
  local ok, dup, sent, answered, first, last, late = 0, 0, 0, 0, nil, nil, 0
  local statuses = {}
  local exhausted = 0
  for _, thread in ipairs(threads) do
    ok = ok + thread:get("ok")
    dup = dup + thread:get("dup")
    sent = sent + thread:get("sent")
    answered = answered + thread:get("answered")
    late = late + thread:get("late")
    exhausted = exhausted + thread:get("exhausted")
    local f, l = thread:get("first_ms"), thread:get("last_ms")
    if f ~= nil and (first == nil or f < first) then first = f end
    if l ~= nil and (last == nil or l > last) then last = l end
    for code, n in pairs(thread:get("statuses")) do
      statuses[code] = (statuses[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(statuses) do
    table.insert(parts, string.format('"%s": %d', tostring(code), n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"ok": %d, "duplicates": %d, "sent": %d, "answered": %d, "late_resets": %d, ' ..
    '"threads_exhausted": %d, "first_ms": %s, "last_ms": %s, "statuses": {%s}, ' ..
    '"p50_us": %s, "p90_us": %s, "p99_us": %s, "p999_us": %s, "max_us": %s, "mean_us": %s, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    ok, dup, sent, answered, late, exhausted, json_number(first), json_number(last),
    table.concat(parts, ", "),
    json_number(latency:percentile(50)), json_number(latency:percentile(90)),
    json_number(latency:percentile(99)), json_number(latency:percentile(99.9)),
    json_number(latency.max), json_number(latency.mean),
    e.connect, e.read, e.write, e.timeout))
end

-- thread states

ok, dup, sent, answered, late, exhausted = 0, 0, 0, 0, 0, 0
statuses = {}
first_ms, last_ms = nil, nil

local bodies = {}
local position = 1
local wrap, budget_ms, interval_ms, done_dir = false, 0, 0, nil
local next_slot = nil
local stopped_sending = false
local verified = false

function init(args)
  -- args[0] is the URL; ours follow "--"
  local pack_path, index_path = args[1], args[2]
  local first, last = tonumber(args[3]), tonumber(args[4])
  wrap = args[5] == "1"
  budget_ms = tonumber(args[6]) * 1000
  local rate = tonumber(args[7])
  local origin = args[8]
  done_dir = args[9]
  local nthreads = tonumber(args[10])
  if rate > 0 then interval_ms = 1000 * nthreads / rate end

  local headers = {
    ["Origin"] = origin,
    ["Content-Type"] = "text/plain;charset=UTF-8",
  }
  local index = assert(io.open(index_path, "r"))
  local pack = assert(io.open(pack_path, "rb"))
  local i = 0
  for line in index:lines() do
    if i >= first and i < last and (i - first) % nthreads == tid then
      local offset, length = line:match("^(%d+) (%d+)$")
      pack:seek("set", tonumber(offset))
      local body = pack:read(tonumber(length))
      table.insert(bodies, wrk.format("POST", wrk.path, headers, body))
    end
    i = i + 1
  end
  index:close()
  pack:close()
end

local finished = false

local function finish()
  if finished then return end
  finished = true
  local marker = io.open(done_dir .. "/" .. tostring(tid), "w")
  if marker then
    marker:write(tostring(answered))
    marker:close()
  end
  wrk.thread:stop()
end

function delay()
  if interval_ms <= 0 then return 0 end
  local now = now_ms()
  if next_slot == nil then
    next_slot = now
  elseif next_slot < now - 1000 then
    -- more than a second behind the schedule (the server is slower than the rate asked): forget the
    -- backlog rather than fire it all at once, and count it
    late = late + 1
    next_slot = now
  end
  local wait = next_slot - now
  next_slot = next_slot + interval_ms
  if wait > 0 then return wait end
  return 0
end

function request()
  if tid == 0 and not verified then
    -- wrk calls request() once on the first thread to check the request parses; that one is not sent
    verified = true
    return bodies[1]
  end
  local now = now_ms()
  if first_ms == nil then first_ms = now end
  if stopped_sending or #bodies == 0 or now - first_ms >= budget_ms then
    stopped_sending = true
    if answered == sent then finish() end
    return "" -- an idle connection: it sends nothing and waits for the end
  end
  local body = bodies[position]
  position = position + 1
  if position > #bodies then
    if wrap then
      position = 1
    else
      exhausted = 1
      stopped_sending = true
    end
  end
  sent = sent + 1
  return body
end

function response(status, headers, body)
  answered = answered + 1
  last_ms = now_ms()
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 200 and status < 300 then
    ok = ok + 1
    if string.find(body, '"duplicate":true', 1, true) then dup = dup + 1 end
  end
  if stopped_sending and answered == sent then finish() end
end
