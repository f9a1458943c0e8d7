# Issue 18 item 3: a claim-checked batch's spool object (shared/ingest/spool.ts) outlives every
# pointer to it. A pointer (the claim-check message) waits in the batch queue, then in its DLQ;
# each sweeper redrive sends it again (a new message: both windows start over, at most maxRedrives
# times); then the sweeper archives it to archive/dlq/, from where an operator may send it once
# more by hand (docs/runbook.md "Redrive by hand"). The lifecycle expiry of spool/ is longer than
# all of that, for the defaults and for other settings of the same variables.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  dist_dir               = "tests/fixtures/zips"
  sqs_attributes_via_sdk = false
}

run "spool_outlives_every_pointer" {
  command = apply

  assert {
    condition = (
      module.lake_bucket.lifecycle_rules["spool"].prefix == "spool/" &&
      module.lake_bucket.lifecycle_rules["spool"].expiration_days * 86400 > (
        (module.batch_queue.message_retention_seconds + module.batch_queue.dlq_message_retention_seconds) * (2 + 3) +
        var.dlq_archive_retention_days * 86400
      )
    )
    error_message = "spool/ expires after the queue and DLQ retention (first stay, 3 sweeper redrives, one hand redrive) plus the dead-letter archive window."
  }

  assert {
    condition     = module.batch_queue.message_retention_seconds == 4 * 86400 && module.batch_queue.dlq_message_retention_seconds == 14 * 86400
    error_message = "The windows the spool expiry is derived from: 4 days in the batch queue, 14 in its DLQ."
  }
}

run "spool_expiry_follows_the_windows" {
  command = apply

  variables {
    dlq_archive_retention_days = 900
    dlq_sweep_rules            = "{\"maxRedrives\": 10}"
  }

  assert {
    condition = module.lake_bucket.lifecycle_rules["spool"].expiration_days * 86400 > (
      (module.batch_queue.message_retention_seconds + module.batch_queue.dlq_message_retention_seconds) * (2 + 10) +
      900 * 86400
    )
    error_message = "A longer archive window or more sweeper redrives lengthen the spool expiry."
  }
}
