data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

locals {
  # Resource names use short environment codes so that the longest derived
  # name (the target group, <service>-<code>-<4 hex>) stays within 32 characters.
  env_code   = { dev = "dev", staging = "stg", prod = "prd" }[var.environment]
  name       = "${var.service_name}-${local.env_code}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition

  log_group_name = "/ecs/${var.service_name}/${var.environment}"
  dashboard_name = local.name
  dashboard_url  = "https://${var.aws_region}.console.aws.amazon.com/cloudwatch/home?region=${var.aws_region}#dashboards/dashboard/${local.dashboard_name}"

  # The pipeline writes the tag it deployed to the SSM parameter; a plan
  # without -var image_tag=... keeps that tag instead of rolling back.
  image_tag = coalesce(var.image_tag, aws_ssm_parameter.image_tag.insecure_value)
  image     = "${var.image_repository_url}:${local.image_tag}"

  # WAF only delivers to log groups whose name starts with aws-waf-logs-.
  waf_log_group_name = "aws-waf-logs-${local.name}"
}

# --- deployed image tag -----------------------------------------------------

resource "aws_ssm_parameter" "image_tag" {
  #checkov:skip=CKV2_AWS_34:The image tag is not a secret; insecure_value (readable in plans) needs a String parameter.
  name           = "/services/${var.service_name}/${var.environment}/image-tag"
  description    = "Image tag of ${var.service_name} deployed in ${var.environment}; written by the pipeline before terraform apply."
  type           = "String"
  insecure_value = "bootstrap"

  lifecycle {
    ignore_changes = [insecure_value]
  }
}

# --- encryption key ---------------------------------------------------------

resource "aws_kms_key" "this" {
  description             = "${local.name}: logs, alarm topics, secrets and data of ${var.service_name} in ${var.environment}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.this.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; the account-root statement delegates to IAM as AWS recommends.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; writes are limited to this account and the named AWS services.
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" means this key only; it cannot be narrowed further.
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsTheLogGroup"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.aws_region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values = [
        "arn:${local.partition}:logs:${var.aws_region}:${local.account_id}:log-group:${local.log_group_name}",
        "arn:${local.partition}:logs:${var.aws_region}:${local.account_id}:log-group:${local.waf_log_group_name}",
      ]
    }
  }

  # Without this statement CloudWatch cannot publish to the encrypted alarm
  # topics and alarm notifications are dropped silently.
  statement {
    sid       = "CloudWatchAlarmsPublishToEncryptedTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

# --- logs -------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = 365
  kms_key_id        = aws_kms_key.this.arn
}
