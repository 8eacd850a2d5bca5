-- A small Lua workload with a known answer: tables, closures, string
-- library, coroutines, integer/float arithmetic, os and io.
local function sieve(n)
  local composite, primes = {}, {}
  for i = 2, n do
    if not composite[i] then
      primes[#primes + 1] = i
      for j = i * i, n, i do composite[j] = true end
    end
  end
  return primes
end
local p = sieve(100000)
print("primes", #p, p[#p])

local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print("fib", fib(24))

local words = {}
for w in ("the quick brown fox jumps over the lazy dog the end"):gmatch("%a+") do
  words[w] = (words[w] or 0) + 1
end
local keys = {}
for k in pairs(words) do keys[#keys + 1] = k end
table.sort(keys)
local parts = {}
for _, k in ipairs(keys) do parts[#parts + 1] = k .. "=" .. words[k] end
print("words", table.concat(parts, " "))

local gen = coroutine.wrap(function() for i = 1, 5 do coroutine.yield(i * i) end end)
local s = 0
for _ = 1, 5 do s = s + gen() end
print("coroutine", s)

print("math", 7 // 2, 7 / 2, 2 ^ 10, math.maxinteger, string.format("%.3f", math.pi))
print("utf8", utf8.len("héllo"), string.rep("ab", 3, "-"))

local name = os.tmpname()
local f = assert(io.open(name, "w"))
for i = 1, 100 do f:write(i, "\n") end
f:close()
local total = 0
for line in io.lines(name) do total = total + tonumber(line) end
os.remove(name)
print("file", total)
print("env", os.getenv("HOME") ~= nil, type(os.time()), type(os.clock()))
