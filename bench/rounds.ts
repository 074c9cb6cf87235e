// Interleaving: every target takes a turn in every round, in ABBA order (A B, then B A, …), so slow
// drift of the machine (thermal, other load, JIT warm-up) lands on all targets alike.

/**
 * Runs `turn` for each target in each round and collects the results per target name.
 * @example await interleave(['direct', 'gateway'], 4, (t) => loadRun(targets[t], body, opts))
 */
export async function interleave<T>(
  names: readonly string[],
  rounds: number,
  turn: (name: string, round: number) => Promise<T>,
): Promise<Map<string, T[]>> {
  const out = new Map<string, T[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) out.get(name)?.push(await turn(name, round));
  }
  return out;
}
