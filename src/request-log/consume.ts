import type { RequestLogBindings } from './bindings.ts';
import { INSERT_ROW, COLUMNS, logRow } from './log-row.ts';

/**
 * The queue consumer: inserts a batch of log lines into D1 in one round trip (`batch` runs as one transaction).
 * A line that is not a log line is acknowledged and dropped (retrying it cannot help); a D1 failure throws,
 * and the Queue redelivers the batch (inserts of rows already there are ignored).
 */
export async function consumeLogBatch(batch: MessageBatch<unknown>, env: RequestLogBindings): Promise<void> {
  const db = env.REQUEST_LOG_DB;
  if (!db) return;
  const statements: D1PreparedStatement[] = [];
  for (const message of batch.messages) {
    const row = typeof message.body === 'string' ? parsedRow(message.body) : null;
    if (row) statements.push(db.prepare(INSERT_ROW).bind(...COLUMNS.map((column) => row[column])));
  }
  if (statements.length > 0) await db.batch(statements);
}

function parsedRow(body: string) {
  try {
    const line: unknown = JSON.parse(body);
    return typeof line === 'object' && line !== null && !Array.isArray(line) ? logRow(line as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
