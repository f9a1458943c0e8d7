# 20,000 tenants (issue 10): the Firehose stream count follows the formula of docs/architecture.md,
# the nightly run's Athena concurrency leaves search its share of the DML quota, and the workflow
# is a Distributed Map with the permissions it needs. Offline, mocked provider.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  dist_dir               = "tests/fixtures/zips"
  sqs_attributes_via_sdk = false
}

run "twenty_thousand_tenants_at_the_default_partition_quota" {
  command = plan

  variables {
    expected_active_tenants = 20000
  }

  # ceil(20,000 x 2 / (500 x 0.8)) = 100
  assert {
    condition     = length(module.firehose.stream_names) == 100 && length(split(",", module.split.settings.environment.OPLAKE_FIREHOSE_STREAMS)) == 100
    error_message = "20,000 tenants at 500 active partitions a stream need 100 streams, all known to split."
  }
}

run "twenty_thousand_tenants_at_the_raised_partition_quota" {
  command = apply

  variables {
    expected_active_tenants         = 20000
    firehose_active_partition_quota = 5000
    athena_active_dml_quota         = 150
    search_dml_share                = 0.4
    nightly_batch_size              = 10
  }

  # ceil(20,000 x 2 / (5,000 x 0.8)) = 10
  assert {
    condition     = length(module.firehose.stream_names) == 10
    error_message = "20,000 tenants at 5,000 active partitions a stream need 10 streams."
  }

  # floor(150 x (1 - 0.4)) = 90 CTAS at once; search keeps 60.
  assert {
    condition = (
      module.ctas_runner.settings.maximum_concurrency == 90 &&
      module.nightly.settings.environment.OPLAKE_NIGHTLY_MAX_CONCURRENCY == "90" &&
      module.nightly.settings.environment.OPLAKE_NIGHTLY_BATCH_SIZE == "10" &&
      module.nightly.settings.environment.OPLAKE_NIGHTLY_MAX_TENANTS == ""
    )
    error_message = "The nightly Athena concurrency is the quota minus search's share, in the ESM and in the Map."
  }

  assert {
    condition = (
      jsondecode(module.nightly_workflow.settings.definition).States.PerTenant.ItemProcessor.ProcessorConfig.Mode == "DISTRIBUTED" &&
      jsondecode(module.nightly_workflow.settings.definition).States.PerTenant.ItemReader.ReaderConfig.InputType == "JSONL" &&
      jsondecode(module.nightly_workflow.settings.definition).States.PerTenant.ResultWriter.Resource == "arn:aws:states:::s3:putObject"
    )
    error_message = "The workflow is a Distributed Map reading a JSON Lines work list and writing its results to S3."
  }

  assert {
    condition = anytrue([
      for doc in module.nightly_workflow.policy_documents : anytrue([
        for st in jsondecode(doc).Statement :
        contains(flatten([st.Action]), "states:StartExecution") && contains(flatten([st.Resource]), module.nightly_workflow.state_machine_arn)
      ])
    ])
    error_message = "The state machine may start its own child executions (Distributed Map)."
  }

  assert {
    condition     = anytrue([for r in module.lake_bucket.lifecycle_rules : r.prefix == "nightly/" && r.expiration_days == 30])
    error_message = "Nightly run files expire."
  }
}

run "too_few_streams_for_the_tenants_are_refused" {
  command = plan

  variables {
    expected_active_tenants = 20000
    firehose_shards         = 20
  }

  expect_failures = [var.firehose_shards]
}

run "a_nightly_concurrency_above_search_share_is_refused" {
  command = plan

  variables {
    athena_active_dml_quota     = 100
    search_dml_share            = 0.5
    ctas_runner_max_concurrency = 60
  }

  expect_failures = [var.ctas_runner_max_concurrency]
}
