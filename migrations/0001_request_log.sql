-- The request log (README "Observability"): one row per gateway call, written by the queue consumer
-- (src/request-log/consume.ts) from the call's log line. No prompt and no answer is stored.
CREATE TABLE request_log (
  request_id TEXT PRIMARY KEY,      -- x-request-id; a redelivered queue message inserts nothing (INSERT OR IGNORE)
  at INTEGER NOT NULL,              -- when the request arrived, ms since the epoch (UTC)
  key_name TEXT,                    -- the key's name (or a short prefix of its hash); never the key
  method TEXT NOT NULL,
  route TEXT NOT NULL,
  surface TEXT NOT NULL,            -- the wire: chat_completions, responses, messages, embeddings, gateway, admin, other
  stream INTEGER NOT NULL DEFAULT 0,
  model_requested TEXT,
  model TEXT,                       -- the model that answered (or was tried last)
  provider TEXT,
  status INTEGER NOT NULL,
  error_code TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  cache TEXT,                       -- HIT, MISS, BYPASS
  prompt_tokens INTEGER,
  cached_tokens INTEGER,
  completion_tokens INTEGER,
  cost_usd REAL,
  cost_estimated INTEGER NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL,
  ttfb_ms REAL,
  tool_steps INTEGER
);
-- Time order with the id as tie-break: the admin API's cursor and the retention delete.
CREATE INDEX request_log_at ON request_log (at, request_id);
CREATE INDEX request_log_key_at ON request_log (key_name, at);
CREATE INDEX request_log_model_at ON request_log (model, at);
