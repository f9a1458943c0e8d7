# Mocked values for terraform test: computed attributes the configuration feeds into fields the
# provider validates (ARNs, policy JSON). Every resource of a type shares these values.

mock_data "aws_caller_identity" {
  defaults = {
    account_id = "123456789012"
    arn        = "arn:aws:iam::123456789012:user/terraform-test"
    user_id    = "AIDATERRAFORMTEST"
  }
}

mock_data "aws_region" {
  defaults = {
    name        = "ap-northeast-1"
    id          = "ap-northeast-1"
    description = "Asia Pacific (Tokyo)"
  }
}

mock_data "aws_partition" {
  defaults = {
    partition          = "aws"
    dns_suffix         = "amazonaws.com"
    reverse_dns_prefix = "com.amazonaws"
  }
}

mock_resource "aws_kms_key" {
  defaults = {
    arn    = "arn:aws:kms:ap-northeast-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    key_id = "11111111-2222-3333-4444-555555555555"
  }
}

mock_resource "aws_s3_bucket" {
  defaults = {
    arn = "arn:aws:s3:::oplake-mock-bucket"
  }
}

mock_resource "aws_sqs_queue" {
  defaults = {
    arn = "arn:aws:sqs:ap-northeast-1:123456789012:oplake-mock-queue"
    id  = "https://sqs.ap-northeast-1.amazonaws.com/123456789012/oplake-mock-queue"
    url = "https://sqs.ap-northeast-1.amazonaws.com/123456789012/oplake-mock-queue"
  }
}

mock_resource "aws_dynamodb_table" {
  defaults = {
    arn = "arn:aws:dynamodb:ap-northeast-1:123456789012:table/oplake-mock"
  }
}

mock_resource "aws_ssm_parameter" {
  defaults = {
    arn = "arn:aws:ssm:ap-northeast-1:123456789012:parameter/oplake/token-keys"
  }
}

mock_resource "aws_iam_role" {
  defaults = {
    arn = "arn:aws:iam::123456789012:role/oplake-mock"
  }
}

mock_resource "aws_cloudwatch_log_group" {
  defaults = {
    arn = "arn:aws:logs:ap-northeast-1:123456789012:log-group:/oplake/mock"
  }
}

mock_resource "aws_lambda_function" {
  defaults = {
    arn           = "arn:aws:lambda:ap-northeast-1:123456789012:function:oplake-mock"
    invoke_arn    = "arn:aws:apigateway:ap-northeast-1:lambda:path/2015-03-31/functions/arn:aws:lambda:ap-northeast-1:123456789012:function:oplake-mock/invocations"
    qualified_arn = "arn:aws:lambda:ap-northeast-1:123456789012:function:oplake-mock:$LATEST"
  }
}

mock_resource "aws_lambda_function_url" {
  defaults = {
    function_url = "https://mock.lambda-url.ap-northeast-1.on.aws/"
  }
}

mock_resource "aws_kinesis_firehose_delivery_stream" {
  defaults = {
    arn = "arn:aws:firehose:ap-northeast-1:123456789012:deliverystream/oplake-mock"
  }
}

mock_resource "aws_athena_workgroup" {
  defaults = {
    arn = "arn:aws:athena:ap-northeast-1:123456789012:workgroup/oplake-mock"
  }
}

mock_resource "aws_glue_catalog_database" {
  defaults = {
    arn = "arn:aws:glue:ap-northeast-1:123456789012:database/oplake"
  }
}

mock_resource "aws_sns_topic" {
  defaults = {
    arn = "arn:aws:sns:ap-northeast-1:123456789012:oplake-alarms"
  }
}

mock_resource "aws_sfn_state_machine" {
  defaults = {
    arn = "arn:aws:states:ap-northeast-1:123456789012:stateMachine:oplake-nightly"
  }
}

mock_resource "aws_cloudfront_distribution" {
  defaults = {
    arn         = "arn:aws:cloudfront::123456789012:distribution/EMOCKDIST"
    id          = "EMOCKDIST"
    domain_name = "d111111abcdef8.cloudfront.net"
  }
}

mock_resource "aws_cloudfront_origin_access_control" {
  defaults = {
    id = "EMOCKOAC"
  }
}

mock_resource "aws_cloudfront_response_headers_policy" {
  defaults = {
    id = "mock-headers-policy"
  }
}
