# Default alarms of sc-web-ext. Each description links the playbook page
# in docs/playbooks/ with the same name as the alarm's suffix. Alarms notify
# on ALARM and on OK, so PagerDuty resolves incidents by itself.
#
# Routing: high urgency pages the on-call of payments; low urgency opens a
# low-urgency incident for the next working hours.

resource "aws_sns_topic" "high_urgency" {
  name              = "${local.name}-alarms-high-urgency"
  kms_master_key_id = aws_kms_key.this.arn
}

resource "aws_sns_topic" "low_urgency" {
  name              = "${local.name}-alarms-low-urgency"
  kms_master_key_id = aws_kms_key.this.arn
}

resource "aws_sns_topic_subscription" "high_urgency_pagerduty" {
  topic_arn              = aws_sns_topic.high_urgency.arn
  protocol               = "https"
  endpoint               = var.pagerduty_high_urgency_url
  endpoint_auto_confirms = true
}

resource "aws_sns_topic_subscription" "low_urgency_pagerduty" {
  topic_arn              = aws_sns_topic.low_urgency.arn
  protocol               = "https"
  endpoint               = var.pagerduty_low_urgency_url
  endpoint_auto_confirms = true
}

locals {
  high_urgency = [aws_sns_topic.high_urgency.arn]
  low_urgency  = [aws_sns_topic.low_urgency.arn]
}

# --- load balancer and service (web) ----------------------------------------

resource "aws_cloudwatch_metric_alarm" "p99_latency" {
  alarm_name          = "${local.name}-p99-latency"
  alarm_description   = "p99 response time of ${var.service_name} (${var.environment}) above ${var.p99_latency_threshold_seconds}s for 5 minutes. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/p99-latency.md"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "TargetResponseTime"
  extended_statistic  = "p99"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.p99_latency_threshold_seconds
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.high_urgency
  ok_actions          = local.high_urgency

  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.this.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "service_5xx_rate" {
  alarm_name          = "${local.name}-service-5xx-rate"
  alarm_description   = "More than ${var.service_5xx_rate_threshold_percent}% of the requests to ${var.service_name} (${var.environment}) answered 5xx by the service for 5 minutes. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/service-5xx-rate.md"
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.service_5xx_rate_threshold_percent
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.high_urgency
  ok_actions          = local.high_urgency

  metric_query {
    id          = "rate"
    expression  = "100 * FILL(errors, 0) / requests"
    label       = "Target 5xx (% of requests)"
    return_data = true
  }

  metric_query {
    id = "errors"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      stat        = "Sum"
      period      = 60

      dimensions = {
        LoadBalancer = aws_lb.this.arn_suffix
        TargetGroup  = aws_lb_target_group.this.arn_suffix
      }
    }
  }

  metric_query {
    id = "requests"

    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      stat        = "Sum"
      period      = 60

      dimensions = {
        LoadBalancer = aws_lb.this.arn_suffix
        TargetGroup  = aws_lb_target_group.this.arn_suffix
      }
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "load_balancer_5xx" {
  alarm_name          = "${local.name}-load-balancer-5xx"
  alarm_description   = "The load balancer of ${var.service_name} (${var.environment}) itself answered more than ${var.load_balancer_5xx_threshold} 5xx per minute for 5 minutes. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/load-balancer-5xx.md"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HTTPCode_ELB_5XX_Count"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.load_balancer_5xx_threshold
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.high_urgency
  ok_actions          = local.high_urgency

  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "no_healthy_targets" {
  alarm_name          = "${local.name}-no-healthy-targets"
  alarm_description   = "No task of ${var.service_name} (${var.environment}) passes the load balancer health check (/health) for 2 minutes: the service is down. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/no-healthy-targets.md"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "HealthyHostCount"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  actions_enabled     = true
  alarm_actions       = local.high_urgency
  ok_actions          = local.high_urgency

  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.this.arn_suffix
  }
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_targets" {
  alarm_name          = "${local.name}-unhealthy-targets"
  alarm_description   = "At least one task of ${var.service_name} (${var.environment}) failed the load balancer health check (/health) for 10 minutes. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/unhealthy-targets.md"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 10
  datapoints_to_alarm = 10
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency

  dimensions = {
    LoadBalancer = aws_lb.this.arn_suffix
    TargetGroup  = aws_lb_target_group.this.arn_suffix
  }
}

# --- ECS service ------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "too_few_tasks" {
  alarm_name          = "${local.name}-too-few-tasks"
  alarm_description   = "Fewer than ${var.min_count} running tasks of ${var.service_name} (${var.environment}) for 5 minutes. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/too-few-tasks.md"
  namespace           = "ECS/ContainerInsights"
  metric_name         = "RunningTaskCount"
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  comparison_operator = "LessThanThreshold"
  threshold           = var.min_count
  treat_missing_data  = "breaching"
  actions_enabled     = true
  alarm_actions       = local.high_urgency
  ok_actions          = local.high_urgency

  dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = aws_ecs_service.this.name
  }
}

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  alarm_name          = "${local.name}-cpu-high"
  alarm_description   = "Average CPU of ${var.service_name} (${var.environment}) above ${var.cpu_high_threshold_percent}% for 15 minutes. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/cpu-high.md"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.cpu_high_threshold_percent
  treat_missing_data  = "missing"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency

  dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = aws_ecs_service.this.name
  }
}

resource "aws_cloudwatch_metric_alarm" "memory_high" {
  alarm_name          = "${local.name}-memory-high"
  alarm_description   = "Average memory of ${var.service_name} (${var.environment}) above ${var.memory_high_threshold_percent}% for 15 minutes. Playbook: https://github.com/payments/sc-web-ext/blob/main/docs/playbooks/memory-high.md"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.memory_high_threshold_percent
  treat_missing_data  = "missing"
  actions_enabled     = true
  alarm_actions       = local.low_urgency
  ok_actions          = local.low_urgency

  dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = aws_ecs_service.this.name
  }
}
