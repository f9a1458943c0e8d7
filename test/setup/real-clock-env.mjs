// The environment for an emulator of AWS (moto_server): the machine's own clock, never the test's.
// A run under faketime (`make test-dates`) moves the clock of oplake's processes only; AWS keeps
// its own time, and moto's Step Functions engine stalls under libfaketime.

/**
 * `env` without libfaketime: no FAKETIME* variables, no libfaketime in LD_PRELOAD.
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function realClockEnv(env) {
  const out = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('FAKETIME')));
  const preload = (env.LD_PRELOAD ?? '')
    .split(/[:\s]+/)
    .filter((lib) => lib !== '' && !/libfaketime/.test(lib))
    .join(':');
  if (preload === '') delete out.LD_PRELOAD;
  else out.LD_PRELOAD = preload;
  return out;
}
