# How long a claim-checked batch's spool object (spool/, shared/ingest/spool.ts) is kept: longer
# than any pointer to it can live. split replaces a delivered body by its receipt at once, so this
# window is a backstop that only bodies never delivered (and the small receipts) reach.
#
# A pointer (the claim-check message) waits in the batch queue, then in its DLQ; each sweeper
# redrive sends it again as a new message, whose queue and DLQ windows start over (at most
# maxRedrives times, dlq_sweep_rules); then the sweeper archives it to archive/dlq/ for
# dlq_archive_retention_days, from where an operator may send it once more by hand
# (docs/runbook.md "Redrive by hand"). tests/spool.tftest.hcl holds the invariant.

locals {
  sweep_rules = var.dlq_sweep_rules == "" ? {} : jsondecode(var.dlq_sweep_rules)
  # DEFAULT_SWEEP_CONFIG.maxRedrives (shared/dlq/sweep.ts) when the rules leave it out.
  sweep_max_redrives = try(local.sweep_rules.maxRedrives, 3)

  # One stay of a pointer, in days: the batch queue's retention, then its DLQ's.
  spool_pointer_stay_days = (module.batch_queue.message_retention_seconds + module.batch_queue.dlq_message_retention_seconds) / 86400

  # The first stay, one per sweeper redrive, one per hand redrive from the archive, and the archive.
  spool_pointer_days = ceil(local.spool_pointer_stay_days * (2 + local.sweep_max_redrives)) + var.dlq_archive_retention_days

  spool_expiration_days = local.spool_pointer_days + var.spool_expiry_margin_days
}
