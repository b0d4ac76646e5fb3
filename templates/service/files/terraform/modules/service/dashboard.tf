# CloudWatch dashboard "<service>-<env code>" (e.g. {{ service_name }}-prd): the
# first page to open from any playbook. Graphs use the viewer's local time;
# the graphs marked (UTC) repeat the key signal in UTC, the time zone of logs
# and PagerDuty timelines.
{%- if kind == "web" %}

locals {
  lb = aws_lb.this.arn_suffix
  tg = aws_lb_target_group.this.arn_suffix
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({
    start = "-PT6H"
    widgets = [
      {
        type   = "text"
        x      = 0
        y      = 0
        width  = 24
        height = 2
        properties = {
          markdown = "# ${var.service_name} (${var.environment})\nWeb service of team {{ owner }} at https://${var.hostname}. Playbooks: [docs/playbooks]({{ playbook_base_url }}). Graphs are in local time except those marked (UTC)."
        }
      },
      {
        type   = "alarm"
        x      = 0
        y      = 2
        width  = 24
        height = 3
        properties = {
          title = "Alarms"
          alarms = [
            aws_cloudwatch_metric_alarm.no_healthy_targets.arn,
            aws_cloudwatch_metric_alarm.too_few_tasks.arn,
            aws_cloudwatch_metric_alarm.service_5xx_rate.arn,
            aws_cloudwatch_metric_alarm.load_balancer_5xx.arn,
            aws_cloudwatch_metric_alarm.p99_latency.arn,
            aws_cloudwatch_metric_alarm.unhealthy_targets.arn,
            aws_cloudwatch_metric_alarm.cpu_high.arn,
            aws_cloudwatch_metric_alarm.memory_high.arn,
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 5
        width  = 12
        height = 6
        properties = {
          title  = "Healthy / unhealthy targets"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/ApplicationELB", "HealthyHostCount", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "Minimum", label = "healthy" }],
            ["AWS/ApplicationELB", "UnHealthyHostCount", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "Maximum", label = "unhealthy" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 5
        width  = 12
        height = 6
        properties = {
          title  = "Tasks: running, desired, pending"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Minimum", label = "running" }],
            ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Maximum", label = "desired" }],
            ["ECS/ContainerInsights", "PendingTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Maximum", label = "pending" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 11
        width  = 12
        height = 6
        properties = {
          title  = "Response time p50 / p90 / p99 (s)"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "p50", label = "p50" }],
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "p90", label = "p90" }],
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "p99", label = "p99" }],
          ]
          annotations = {
            horizontal = [{ label = "p99-latency alarm", value = var.p99_latency_threshold_seconds }]
          }
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 11
        width  = 12
        height = 6
        properties = {
          title  = "Requests per minute"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "Sum", label = "requests" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 17
        width  = 12
        height = 6
        properties = {
          title  = "5xx: load balancer vs service"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", local.lb, { stat = "Sum", label = "load balancer 5xx" }],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "Sum", label = "service 5xx" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 17
        width  = 12
        height = 6
        properties = {
          title  = "4xx: load balancer vs service"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/ApplicationELB", "HTTPCode_ELB_4XX_Count", "LoadBalancer", local.lb, { stat = "Sum", label = "load balancer 4xx" }],
            ["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "Sum", label = "service 4xx" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 23
        width  = 12
        height = 6
        properties = {
          title  = "CPU and memory (% of the task size)"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          yAxis  = { left = { min = 0, max = 100 } }
          metrics = [
            ["AWS/ECS", "CPUUtilization", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Average", label = "CPU" }],
            ["AWS/ECS", "MemoryUtilization", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Average", label = "memory" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 23
        width  = 12
        height = 6
        properties = {
          title  = "Requests and service 5xx per availability zone"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            [{ id = "az_requests", expression = "SEARCH('{AWS/ApplicationELB,AvailabilityZone,LoadBalancer,TargetGroup} MetricName=\"RequestCount\" TargetGroup=\"${local.tg}\"', 'Sum', 60)" }],
            [{ id = "az_errors", expression = "SEARCH('{AWS/ApplicationELB,AvailabilityZone,LoadBalancer,TargetGroup} MetricName=\"HTTPCode_Target_5XX_Count\" TargetGroup=\"${local.tg}\"', 'Sum', 60)" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 29
        width  = 24
        height = 6
        properties = {
          title    = "Requests and p99 response time (UTC)"
          region   = var.aws_region
          view     = "timeSeries"
          period   = 60
          timezone = "+0000"
          metrics = [
            ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "Sum", label = "requests" }],
            ["AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer", local.lb, "TargetGroup", local.tg, { stat = "p99", label = "p99 (s)", yAxis = "right" }],
          ]
        }
      },
    ]
  })
}
{%- elif trigger == "queue" %}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = local.dashboard_name
  dashboard_body = jsonencode({
    start = "-PT6H"
    widgets = [
      {
        type   = "text"
        x      = 0
        y      = 0
        width  = 24
        height = 2
        properties = {
          markdown = "# ${var.service_name} (${var.environment})\nQueue worker of team {{ owner }}, consuming ${aws_sqs_queue.main.name}. Playbooks: [docs/playbooks]({{ playbook_base_url }}). Graphs are in local time except those marked (UTC)."
        }
      },
      {
        type   = "alarm"
        x      = 0
        y      = 2
        width  = 24
        height = 3
        properties = {
          title = "Alarms"
          alarms = [
            aws_cloudwatch_metric_alarm.oldest_message_age.arn,
            aws_cloudwatch_metric_alarm.too_few_tasks.arn,
            aws_cloudwatch_metric_alarm.queue_backlog.arn,
            aws_cloudwatch_metric_alarm.dead_letter_queue.arn,
            aws_cloudwatch_metric_alarm.cpu_high.arn,
            aws_cloudwatch_metric_alarm.memory_high.arn,
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 5
        width  = 12
        height = 6
        properties = {
          title  = "Messages waiting vs processed"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.main.name, { stat = "Maximum", label = "visible (waiting)" }],
            ["AWS/SQS", "NumberOfMessagesDeleted", "QueueName", aws_sqs_queue.main.name, { stat = "Sum", label = "deleted (processed)" }],
            ["AWS/SQS", "NumberOfMessagesSent", "QueueName", aws_sqs_queue.main.name, { stat = "Sum", label = "sent (produced)" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 5
        width  = 12
        height = 6
        properties = {
          title  = "Age of the oldest message (s)"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", aws_sqs_queue.main.name, { stat = "Maximum", label = "oldest message" }],
          ]
          annotations = {
            horizontal = [{ label = "oldest-message-age alarm", value = var.oldest_message_age_threshold_seconds }]
          }
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 11
        width  = 12
        height = 6
        properties = {
          title  = "Dead-letter queue depth"
          region = var.aws_region
          view   = "timeSeries"
          period = 300
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.dlq.name, { stat = "Maximum", label = "messages in ${aws_sqs_queue.dlq.name}" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 11
        width  = 12
        height = 6
        properties = {
          title  = "Tasks: running, desired, pending"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          metrics = [
            ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Minimum", label = "running" }],
            ["ECS/ContainerInsights", "DesiredTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Maximum", label = "desired" }],
            ["ECS/ContainerInsights", "PendingTaskCount", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Maximum", label = "pending" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 0
        y      = 17
        width  = 12
        height = 6
        properties = {
          title  = "CPU and memory (% of the task size)"
          region = var.aws_region
          view   = "timeSeries"
          period = 60
          yAxis  = { left = { min = 0, max = 100 } }
          metrics = [
            ["AWS/ECS", "CPUUtilization", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Average", label = "CPU" }],
            ["AWS/ECS", "MemoryUtilization", "ClusterName", var.ecs_cluster_name, "ServiceName", aws_ecs_service.this.name, { stat = "Average", label = "memory" }],
          ]
        }
      },
      {
        type   = "metric"
        x      = 12
        y      = 17
        width  = 12
        height = 6
        properties = {
          title    = "Messages waiting vs processed (UTC)"
          region   = var.aws_region
          view     = "timeSeries"
          period   = 60
          timezone = "+0000"
          metrics = [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", aws_sqs_queue.main.name, { stat = "Maximum", label = "visible (waiting)" }],
            ["AWS/SQS", "NumberOfMessagesDeleted", "QueueName", aws_sqs_queue.main.name, { stat = "Sum", label = "deleted (processed)" }],
          ]
        }
      },
    ]
  })
}
{%- else %}

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
          markdown = "# ${var.service_name} (${var.environment})\nCron worker of team {{ owner }}, schedule `${var.schedule_expression}` (${var.schedule_timezone}). Playbooks: [docs/playbooks]({{ playbook_base_url }}). Graphs are in local time except those marked (UTC)."
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
{%- endif %}
