/** `env` without libfaketime: no FAKETIME* variables, no libfaketime in LD_PRELOAD. */
export function realClockEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
