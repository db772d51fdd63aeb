-- wrk script for bench/soak: rotates between a rejected request (401, no
-- database work), the health check and an authenticated stats call.
local secret = os.getenv("SOAK_SECRET")
local counter = 0
request = function()
    counter = counter + 1
    local kind = counter % 3
    if kind == 0 then
        return wrk.format("GET", "/api/cron/cleanup-sessions", {})
    elseif kind == 1 then
        return wrk.format("GET", "/api/cron/health", {})
    else
        return wrk.format("GET", "/api/cron/cleanup-sessions", { ["Authorization"] = "Bearer " .. secret })
    end
end
