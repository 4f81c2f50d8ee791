dofile(os.getenv("LOAD_DIR") .. "/report.lua")
-- Every request a search nobody asked before: two words from a researcher's vocabulary and
-- a counter, so the page cache never answers and each one is searched and rendered.
local words = {"workers", "remittances", "children", "labour", "recruitment", "diaspora",
  "health", "return", "integration", "skills", "women", "border", "detention", "refugees",
  "regularisation", "seasonal", "climate", "trafficking", "students", "data"}
local counter = 0
request = function()
  counter = counter + 1
  local a = words[(counter % #words) + 1]
  local b = words[(math.floor(counter / #words) % #words) + 1]
  return wrk.format("GET", "/practices/?q=" .. a .. "+" .. b .. "&page=" .. (counter % 7 + 1) .. "&n=" .. counter)
end
