// A watchdog for the case the bench cannot clean up after itself (SIGKILL, out of memory, a CI timeout):
// the bench tells it `+pid` for every child it starts, `-pid` when one exits and `d<path>` for its temp
// directory; when the bench dies, its stdin ends and it SIGKILLs the process group of every child still
// listed and removes the directory. It ignores SIGINT so a Ctrl-C cannot take it down before the bench
// has finished its own cleanup.
import { rmSync } from 'node:fs';
import { createInterface } from 'node:readline';

const children = new Set<number>();
const dirs = new Set<string>();
process.on('SIGINT', () => {});
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (line.startsWith('d')) {
      dirs.add(line.slice(1));
      return;
    }
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) return;
    if (line.startsWith('+')) children.add(pid);
    else children.delete(pid);
  })
  .on('close', () => {
    for (const pid of children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
