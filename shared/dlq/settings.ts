/**
 * The sweeper's rules and thresholds as one JSON setting (`OPLAKE_SWEEP_RULES`, on AWS and
 * locally); every field is optional and falls back to DEFAULT_SWEEP_CONFIG:
 *
 *   {"maxRedrives": 3, "backoffMinutes": 15, "maxPerSource": 10000,
 *    "permanentThreshold": 1, "maxMessageAgeHours": 24, "firehoseErrorThreshold": 1, "dedupHours": 6,
 *    "transientErrors": ["MyRetryableError"], "permanentErrors": ["MyBadInputError"]}
 *
 * The error lists are added to the defaults (classify.ts).
 */
import { z } from 'zod';
import { DEFAULT_CLASSIFY_RULES } from './classify.js';
import { DEFAULT_SWEEP_CONFIG, type SweepConfig } from './sweep.js';

const count = z.number().int().min(0);

export const sweepRulesSchema = z
  .object({
    maxRedrives: count.max(100),
    backoffMinutes: z
      .number()
      .min(0)
      .max(7 * 24 * 60),
    maxPerSource: z.number().int().min(1).max(1_000_000),
    permanentThreshold: z.number().int().min(1),
    maxMessageAgeHours: z.number().min(0),
    firehoseErrorThreshold: z.number().int().min(1),
    dedupHours: z.number().min(0),
    transientErrors: z.array(z.string().min(1)),
    permanentErrors: z.array(z.string().min(1)),
  })
  .partial()
  .strict();

export type SweepRules = z.infer<typeof sweepRulesSchema>;

export function sweepConfigFrom(value: unknown): SweepConfig {
  const rules = sweepRulesSchema.parse(value);
  const d = DEFAULT_SWEEP_CONFIG;
  return {
    maxRedrives: rules.maxRedrives ?? d.maxRedrives,
    backoffBaseMs: rules.backoffMinutes === undefined ? d.backoffBaseMs : rules.backoffMinutes * 60_000,
    pageSize: d.pageSize,
    maxPerSource: rules.maxPerSource ?? d.maxPerSource,
    classify: {
      transientErrors: [...DEFAULT_CLASSIFY_RULES.transientErrors, ...(rules.transientErrors ?? [])],
      permanentErrors: [...DEFAULT_CLASSIFY_RULES.permanentErrors, ...(rules.permanentErrors ?? [])],
    },
    alerts: {
      permanentThreshold: rules.permanentThreshold ?? d.alerts.permanentThreshold,
      maxMessageAgeMs:
        rules.maxMessageAgeHours === undefined
          ? d.alerts.maxMessageAgeMs
          : rules.maxMessageAgeHours * 3600_000,
      firehoseErrorThreshold: rules.firehoseErrorThreshold ?? d.alerts.firehoseErrorThreshold,
      dedupWindowMs: rules.dedupHours === undefined ? d.alerts.dedupWindowMs : rules.dedupHours * 3600_000,
    },
  };
}
