// The `unit` project runs src/tokens on Node: its rank files come from node_modules (the Worker reads them from its static assets).
import { nodeRankFiles } from '../../bench/node-rank-files.ts';
import { useRankFiles } from '../../src/tokens/encodings.ts';

useRankFiles(nodeRankFiles);
