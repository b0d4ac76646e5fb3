# The sc-cron cron worker: EventBridge Scheduler starts one Fargate
# task per tick with the `cron` argument; the task runs once, logs
# {"event": "cron.completed"} on success and exits non-zero on failure.
# There is no ECS service.

locals {
  # How long to wait for a cron.completed line before cron-missed fires.
  schedule_rate = try(regex("^rate\\(([0-9]+) (minute|hour|day)s?\\)$", var.schedule_expression), null)
  schedule_cron = try(split(" ", regex("^cron\\((.*)\\)$", var.schedule_expression)[0]), null)
  schedule_interval_seconds = (
    local.schedule_rate != null ? tonumber(local.schedule_rate[0]) * { minute = 60, hour = 3600, day = 86400 }[local.schedule_rate[1]] :
    local.schedule_cron != null && try(local.schedule_cron[1], "") == "*" ? 3600 : 86400
  )
  cron_check_period_seconds = coalesce(var.cron_check_period_seconds, local.schedule_interval_seconds)
  # CloudWatch periods are multiples of 60 s and an alarm looks back one day
  # at most: short schedules are checked over two intervals, long ones over a day.
  cron_alarm_period             = min(86400, max(60, ceil(local.cron_check_period_seconds / 60) * 60))
  cron_alarm_evaluation_periods = local.cron_check_period_seconds <= 43200 ? 2 : 1
}

# A group of its own, so the AWS/Scheduler metrics are this service's.
resource "aws_scheduler_schedule_group" "this" {
  name = local.name
}

resource "aws_scheduler_schedule" "this" {
  name                         = local.name
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = "Runs ${var.service_name} (${var.environment}) once per tick"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone
  state                        = "ENABLED"
  kms_key_arn                  = aws_kms_key.this.arn

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = var.ecs_cluster_arn
    role_arn = aws_iam_role.scheduler.arn

    ecs_parameters {
      task_definition_arn     = aws_ecs_task_definition.this.arn
      task_count              = 1
      launch_type             = "FARGATE"
      platform_version        = "LATEST"
      enable_ecs_managed_tags = true
      propagate_tags          = "TASK_DEFINITION"

      network_configuration {
        subnets          = var.private_subnet_ids
        security_groups  = [aws_security_group.task.id]
        assign_public_ip = false
      }
    }

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 3
    }

    # Ticks the scheduler could not start go here (schedule-failures alarm).
    dead_letter_config {
      arn = aws_sqs_queue.schedule_dlq.arn
    }
  }
}

resource "aws_sqs_queue" "schedule_dlq" {
  name                      = "${local.name}-schedule-dlq"
  sqs_managed_sse_enabled   = true
  message_retention_seconds = 1209600 # 14 days, the maximum
}

# --- scheduler role ---------------------------------------------------------

data "aws_iam_policy_document" "scheduler_assume_role" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name               = "${local.name}-scheduler"
  description        = "EventBridge Scheduler starts the ${var.service_name} cron task in ${var.environment}."
  assume_role_policy = data.aws_iam_policy_document.scheduler_assume_role.json
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "RunOwnTaskOnTheCluster"
    actions   = ["ecs:RunTask"]
    resources = ["${aws_ecs_task_definition.this.arn_without_revision}:*"]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [var.ecs_cluster_arn]
    }
  }

  statement {
    sid       = "TagTheTasksItStarts"
    actions   = ["ecs:TagResource"]
    resources = ["arn:${local.partition}:ecs:${var.aws_region}:${local.account_id}:task/*"]

    condition {
      test     = "StringEquals"
      variable = "ecs:CreateAction"
      values   = ["RunTask"]
    }
  }

  statement {
    sid       = "PassOwnTaskRoles"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.execution.arn, aws_iam_role.task.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  # The schedule is encrypted with the service key: the scheduler decrypts
  # it with this role at every tick.
  statement {
    sid       = "DecryptOwnSchedule"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.this.arn]
  }

  statement {
    sid       = "DeadLetterFailedTicks"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.schedule_dlq.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "run-own-task"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

# --- success signal for the cron-missed alarm -------------------------------

resource "aws_cloudwatch_log_metric_filter" "cron_completed" {
  name           = "${local.name}-cron-completed"
  log_group_name = aws_cloudwatch_log_group.this.name
  pattern        = "{ $.event = \"cron.completed\" }"

  metric_transformation {
    name      = "CronCompleted"
    namespace = "Services/${var.service_name}/${var.environment}"
    value     = "1"
    unit      = "Count"
  }
}
