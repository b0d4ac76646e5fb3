# CloudWatch dashboard "<service>-<env code>" (e.g. sc-web-int-prd): the
# first page to open from any playbook. Graphs use the viewer's local time;
# the graphs marked (UTC) repeat the key signal in UTC, the time zone of logs
# and PagerDuty timelines.

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
          markdown = "# ${var.service_name} (${var.environment})\nWeb service of team payments at https://${var.hostname}. Playbooks: [docs/playbooks](https://github.com/payments/sc-web-int/blob/main/docs/playbooks). Graphs are in local time except those marked (UTC)."
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
