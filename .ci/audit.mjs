// Dependency audit of the production dependencies: `npm audit --omit=dev --json`, failing (exit 1)
// on any high or critical advisory, listing them. When the registry's audit service cannot be
// reached (some mirrors and proxies answer its POST with 405), it says so loudly and exits 0,
// unless OPLAKE_AUDIT_REQUIRED=1 (then 2): nothing was audited, which is not a pass.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--omit=dev', '--json'], { encoding: 'utf8', timeout: 120_000 });
let report;
try {
  report = JSON.parse(run.stdout || '{}');
} catch {
  report = {};
}

const counts = report.metadata?.vulnerabilities;
if (!counts) {
  const why = report.message ?? report.error?.summary ?? run.stderr.trim().split('\n').pop() ?? 'no answer';
  console.error(
    `audit: the npm audit service could not be reached (${why}); production dependencies NOT audited`,
  );
  process.exit(process.env.OPLAKE_AUDIT_REQUIRED === '1' ? 2 : 0);
}

const serious = Object.values(report.vulnerabilities ?? {}).filter(
  (v) => v.severity === 'high' || v.severity === 'critical',
);
console.log(
  `audit: production dependencies: ${counts.critical} critical, ${counts.high} high, ${counts.moderate} moderate, ${counts.low} low`,
);
for (const v of serious) {
  const via = v.via.map((x) => (typeof x === 'string' ? x : `${x.title} (${x.url})`)).join('; ');
  console.log(`  ${v.severity}: ${v.name} ${v.range}: ${via}${v.fixAvailable ? ' [fix available]' : ''}`);
}
process.exit(serious.length > 0 ? 1 : 0);
