// Runs the project's mock upstream in its own Node process, so the load generator and the mock never share
// an event loop. Prints `{"url":…}` on stdout when listening; exits when its parent closes stdin or on SIGTERM.
import { startMockUpstream } from '../mock/upstream.ts';

const mock = await startMockUpstream({ port: 0 });
process.stdout.write(`${JSON.stringify({ url: mock.url, pid: process.pid })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await mock.close();
  process.exit(0);
}
// The parent holds our stdin open: when it dies, even by SIGKILL, stdin ends and the mock goes too.
process.stdin.on('end', () => void stop());
process.stdin.on('error', () => void stop());
process.stdin.resume();
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
