# CloudWatch dashboard "<service>-<env code>" (e.g. py-queue-prd): the
# first page to open from any playbook. Graphs use the viewer's local time;
# the graphs marked (UTC) repeat the key signal in UTC, the time zone of logs
# and PagerDuty timelines.

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
          markdown = "# ${var.service_name} (${var.environment})\nQueue worker of team payments, consuming ${aws_sqs_queue.main.name}. Playbooks: [docs/playbooks](https://github.com/payments/py-queue/blob/main/docs/playbooks). Graphs are in local time except those marked (UTC)."
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
