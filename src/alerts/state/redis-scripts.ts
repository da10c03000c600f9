/** The Lua scripts the Redis state store runs: each is one atomic step on the server. */

/**
 * Writes an outage only if its stored body is still the one the caller read
 * (compare-and-set), and keeps the open-outage indexes in step. Merging is
 * done by the caller in JavaScript, because Redis' cjson would re-encode
 * numbers and empty arrays. KEYS: outages, open, started, open-by-service.
 * ARGV: id, expected body ('' = absent), new body, service, startedAt,
 * restored ('1'/'0'), mode ('put' | 'open').
 * Returns {'ok'}, {'changed', current}, or {'exists', id of the open outage}.
 */
export const CAS_OUTAGE = `
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return {'changed', current} end
if ARGV[7] == 'open' and current == '' then
  local open = redis.call('HGET', KEYS[4], ARGV[4])
  if open and open ~= ARGV[1] then return {'exists', open} end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1])
if ARGV[6] == '1' then
  redis.call('ZREM', KEYS[2], ARGV[1])
  if redis.call('HGET', KEYS[4], ARGV[4]) == ARGV[1] then redis.call('HDEL', KEYS[4], ARGV[4]) end
else
  redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1])
  if not redis.call('HGET', KEYS[4], ARGV[4]) then redis.call('HSET', KEYS[4], ARGV[4], ARGV[1]) end
end
return {'ok'}
`;

/**
 * Claims a notification id for one caller. The claim records a token unique
 * to this attempt, so when Redis executed the claim but the reply was lost
 * (Redis or the link died) and ioredis resends it after reconnecting, the
 * resend is recognised as the same claim and still wins: a lost reply never
 * becomes a lost notification. An SLA warning or breach of an outage that
 * is already restored is refused: in a cluster, an instance that no longer
 * polls the service may still run that outage's clock and must not page
 * after someone else restored it. KEYS: claims (hash id → token),
 * claimed-at (zset id → at), outages. ARGV: id, token, at.
 */
export const CLAIM = `
local held = redis.call('HGET', KEYS[1], ARGV[1])
if held then return held == ARGV[2] and 1 or 0 end
local outage = string.match(ARGV[1], '^outage:(.+):warn:%d+$') or string.match(ARGV[1], '^outage:(.+):breach$')
if outage then
  local body = redis.call('HGET', KEYS[3], outage)
  if body and string.find(body, '"restoredAt":', 1, true) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
return 1
`;

/** Forgets claims older than ARGV[1], except ids starting with ARGV[2..]. KEYS: claims, claimed-at. */
export const PRUNE = `
local old = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. ARGV[1])) do
  local kept = false
  for k = 2, #ARGV do
    if string.sub(id, 1, #ARGV[k]) == ARGV[k] then kept = true break end
  end
  if not kept then old[#old + 1] = id end
end
for i = 1, #old, 500 do
  local batch = {unpack(old, i, math.min(i + 499, #old))}
  redis.call('HDEL', KEYS[1], unpack(batch))
  redis.call('ZREM', KEYS[2], unpack(batch))
end
return #old
`;
