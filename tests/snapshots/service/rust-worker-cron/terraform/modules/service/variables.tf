# --- identity ---------------------------------------------------------------

variable "service_name" {
  description = "Name of the service; part of every resource name."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", var.service_name)) && length(var.service_name) <= 20
    error_message = "service_name must be lowercase kebab-case and at most 20 characters (the ALB and target group names derive from it)."
  }
}

variable "environment" {
  description = "Environment name: dev, staging or prod. Resource names use the codes dev, stg and prd."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "aws_region" {
  description = "Region the service runs in (AWS_REGION of the container, log and dashboard region)."
  type        = string
}

variable "log_level" {
  description = "LOG_LEVEL of the container."
  type        = string
  default     = "INFO"
}

# --- platform: looked up by each environment, see ../../<env>/main.tf -------

variable "vpc_id" {
  description = "VPC of the environment (platform convention: tag Name = <environment>)."
  type        = string
}

variable "private_subnet_ids" {
  description = "Private subnets for tasks (platform convention: tag Tier = private)."
  type        = list(string)
}

variable "ecs_cluster_name" {
  description = "ECS cluster of the environment (platform convention: named after the environment, Container Insights on)."
  type        = string
}

variable "ecs_cluster_arn" {
  description = "ARN of the ECS cluster in ecs_cluster_name."
  type        = string
}

variable "pagerduty_high_urgency_url" {
  description = "PagerDuty CloudWatch integration URL of the service that pages (high urgency)."
  type        = string
  sensitive   = true
}

variable "pagerduty_low_urgency_url" {
  description = "PagerDuty CloudWatch integration URL of the service that notifies without paging (low urgency)."
  type        = string
  sensitive   = true
}

# --- image ------------------------------------------------------------------

variable "image_repository_url" {
  description = "ECR repository URL of the service image (created by ../../shared)."
  type        = string
}

variable "image_tag" {
  description = "Image tag to deploy. null keeps the tag the pipeline last wrote to the SSM parameter, so a plan never rolls the image back."
  type        = string
  default     = null
}

# --- sizing -----------------------------------------------------------------

variable "cpu" {
  description = "Task CPU units (1024 = 1 vCPU); with memory, a valid Fargate size."
  type        = number

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be 256, 512, 1024, 2048 or 4096."
  }
}

variable "memory" {
  description = "Task memory in MiB; must be valid for cpu on Fargate."
  type        = number

  validation {
    condition = (
      (var.cpu == 256 && contains([512, 1024, 2048], var.memory)) ||
      (var.cpu == 512 && var.memory >= 1024 && var.memory <= 4096 && var.memory % 1024 == 0) ||
      (var.cpu == 1024 && var.memory >= 2048 && var.memory <= 8192 && var.memory % 1024 == 0) ||
      (var.cpu == 2048 && var.memory >= 4096 && var.memory <= 16384 && var.memory % 1024 == 0) ||
      (var.cpu == 4096 && var.memory >= 8192 && var.memory <= 30720 && var.memory % 1024 == 0)
    )
    error_message = "memory is not a valid Fargate size for this cpu: 256 takes 512-2048, 512 takes 1024-4096, 1024 takes 2048-8192, 2048 takes 4096-16384, 4096 takes 8192-30720 (MiB, steps of 1024 above 512)."
  }
}

variable "schedule_expression" {
  description = "EventBridge Scheduler expression: rate(...) or cron(...)."
  type        = string
  default     = "cron(0 6 * * ? *)"
}

variable "schedule_timezone" {
  description = "Time zone of cron(...) expressions."
  type        = string
  default     = "UTC"
}

variable "cron_check_period_seconds" {
  description = "Window in which at least one run must log cron.completed (cron-missed alarm). null derives it from the schedule: the rate, one hour for cron(...) with an hourly field of *, otherwise one day."
  type        = number
  default     = null
}

# --- alarm thresholds -------------------------------------------------------
