// Tests that count tokens without going through the app (which wires this itself) read the rank files as the Worker does: from ASSETS.
import { env } from 'cloudflare:workers';
import { assetRankFiles } from '../../../src/tokens/asset-rank-files.ts';
import { useRankFiles } from '../../../src/tokens/encodings.ts';

useRankFiles(assetRankFiles(env.ASSETS));
