# CloudWatch dashboard "<service>-<env code>" (e.g. sc-cron-stores-prd): the
# first page to open from any playbook. Graphs use the viewer's local time;
# the graphs marked (UTC) repeat the key signal in UTC, the time zone of logs
# and PagerDuty timelines.

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({
    start = "-P7D"
    widgets = [
      {
        type   = "text"
        x      = 0
        y      = 0
        width  = 24
        height = 2
        properties = {
          markdown = "# ${var.service_name} (${var.environment})\nCron worker of team payments, schedule `${var.schedule_expression}` (${var.schedule_timezone}). Playbooks: [docs/playbooks](https://github.com/payments/sc-cron-stores/blob/main/docs/playbooks). Graphs are in local time except those marked (UTC)."
        }
      },
      {
        type   = "alarm"
        x      = 0
        y      = 2
        width  = 24
        height = 2
        properties = {
          title = "Alarms"
          alarms = [
            aws_cloudwatch_metric_alarm.cron_missed.arn,
            aws_cloudwatch_metric_alarm.schedule_failures.arn,
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 4
        width  = 12
        height = 6
        properties = {
          title  = "Successful runs (cron.completed)"
          region = var.aws_region
          view   = "timeSeries"
          period = local.cron_alarm_period
          metrics = [
            [aws_cloudwatch_log_metric_filter.cron_completed.metric_transformation[0].namespace, "CronCompleted", { stat = "Sum", label = "completed runs" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 4
        width  = 12
        height = 6
        properties = {
          title  = "Scheduler: invocations, target errors, dead-lettered ticks"
          region = var.aws_region
          view   = "timeSeries"
          period = 300
          metrics = [
            ["AWS/Scheduler", "InvocationAttemptCount", "ScheduleGroup", aws_scheduler_schedule_group.this.name, { stat = "Sum", label = "invocation attempts" }],
            ["AWS/Scheduler", "TargetErrorCount", "ScheduleGroup", aws_scheduler_schedule_group.this.name, { stat = "Sum", label = "target errors" }],
            ["AWS/Scheduler", "InvocationThrottleCount", "ScheduleGroup", aws_scheduler_schedule_group.this.name, { stat = "Sum", label = "throttled" }],
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.schedule_dlq.name, { stat = "Maximum", label = "ticks in the scheduler DLQ" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 10
        width  = 12
        height = 6
        properties = {
          title  = "CPU and memory used by the cron tasks"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["ECS/ContainerInsights", "CpuUtilized", "ClusterName", var.ecs_cluster_name, "TaskDefinitionFamily", aws_ecs_task_definition.this.family, { stat = "Maximum", label = "CPU units used (of ${var.cpu})" }],
            ["ECS/ContainerInsights", "MemoryUtilized", "ClusterName", var.ecs_cluster_name, "TaskDefinitionFamily", aws_ecs_task_definition.this.family, { stat = "Maximum", label = "memory MiB used (of ${var.memory})", yAxis = "right" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 10
        width  = 12
        height = 6
        properties = {
          title    = "Successful runs (UTC)"
          region   = var.aws_region
          view     = "timeSeries"
          period   = local.cron_alarm_period
          timezone = "+0000"
          metrics = [
            [aws_cloudwatch_log_metric_filter.cron_completed.metric_transformation[0].namespace, "CronCompleted", { stat = "Sum", label = "completed runs" }],
          ]
        }
      },
      {
        type   = "log"
        x      = 0
        y      = 16
        width  = 24
        height = 8
        properties = {
          title  = "Last runs: start, completion and errors"
          region = var.aws_region
          view   = "table"
          query  = "SOURCE '${aws_cloudwatch_log_group.this.name}' | fields @timestamp, @logStream, event, level, message | filter event like /cron/ or level in ['ERROR', 'error', 'CRITICAL'] | sort @timestamp desc | limit 50"
        }
      },
    ]
  })
}
