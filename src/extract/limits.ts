/**
 * What a caller's `/extract` schema may cost. Every one is checked before any model call (a 400
 * `invalid_schema` naming it), except the two that depend on the answer, which are checked before the
 * validator runs on it: together they keep validation linear in the answer.
 */
export const EXTRACT_LIMITS = {
  /** The schema as JSON text, in UTF-8 bytes. */
  schemaBytes: 32 * 1024,
  /** `$ref`s followed when the schema is expanded (a reference back to a schema being expanded is not followed). */
  refExpansions: 256,
  /** `$ref`s followed one inside another along one path. */
  refDepth: 32,
  /** `allOf`/`anyOf`/`oneOf` branches in the expanded schema, all combinators together. */
  combinatorBranches: 128,
  /** Steps the linear-time matcher may take over all of an answer's strings (a step is one automaton state at one character). */
  regexSteps: 10_000_000,
  /** How deep a model's answer may nest arrays and objects (deeper ones are answered to the model as a problem). */
  answerDepth: 64,
} as const;
