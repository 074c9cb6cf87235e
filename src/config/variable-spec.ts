/** One configuration variable: every var and secret the gateway reads is a row here (the table in docs/configuration.md and .dev.vars.example are checked against it). */
export interface VariableSpec {
  readonly name: string;
  readonly secret: boolean;
  readonly default: string;
  readonly description: string;
}
