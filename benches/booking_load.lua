-- wrk script for benches/booking_load.sh: POST /api/v1/appointments as many citizens.
-- Arguments (after `--`): data dir, thread count, token file, slots to use (0 = all).
-- Each thread books with its own share of the tokens (one citizen per request), slots
-- taken round-robin; answers are counted by status and summed in done().

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

local function lines(path)
  local found = {}
  for line in io.lines(path) do
    if #line > 0 then found[#found + 1] = line end
  end
  return found
end

function init(args)
  local dir = args[1]
  stride = tonumber(args[2])
  tokens = lines(dir .. "/" .. args[3])
  slots = lines(dir .. "/slots.txt")
  local limit = tonumber(args[4])
  if limit > 0 and limit < #slots then
    for i = #slots, limit + 1, -1 do slots[i] = nil end
  end
  local file = io.open(dir .. "/office_id")
  office = file:read("*l")
  file:close()
  position = id
  created, conflict, other = 0, 0, 0
end

function request()
  if position > #tokens then position = id end
  local token = tokens[position]
  local slot = slots[((position - 1) % #slots) + 1]
  position = position + stride
  local body = '{"office_id":"' .. office .. '","slot_start":"' .. slot ..
    '","documents":[{"title":"Giấy khai sinh","pages":2,"copies":1}]}'
  return wrk.format("POST", "/api/v1/appointments",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 409 then
    conflict = conflict + 1
  else
    other = other + 1
    if other <= 3 then io.stderr:write("unexpected " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  local c, f, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    f = f + thread:get("conflict")
    o = o + thread:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("answers: 201=%d 409=%d other=%d\n", c, f, o))
  io.write(string.format("committed bookings/s: %.0f (attempts/s: %.0f)\n", c / seconds, (c + f + o) / seconds))
  io.write(string.format("latency p50=%.2fms p99=%.2fms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
