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
  description = "Private subnets for tasks and data stores (platform convention: tag Tier = private)."
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

variable "vpc_cidr_block" {
  description = "CIDR block of the VPC."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets for the internet-facing load balancer (platform convention: tag Tier = public)."
  type        = list(string)
}

variable "waf_rate_limit_per_5_minutes" {
  description = "Requests one client IP may send in 5 minutes before the WAF blocks it."
  type        = number
  default     = 2000
}

variable "certificate_arn" {
  description = "ACM certificate covering hostname (platform convention: *.<environment>.example.internal)."
  type        = string
}

variable "route53_zone_id" {
  description = "Route 53 zone that holds hostname (platform convention: <environment>.example.internal)."
  type        = string
}

variable "hostname" {
  description = "DNS name of the service: <service>.<environment>.example.internal."
  type        = string
}

variable "alb_access_logs_bucket" {
  description = "S3 bucket receiving the load balancer access logs (platform convention, see the environment)."
  type        = string
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion (on in staging and prod)."
  type        = bool
  default     = true
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

variable "min_count" {
  description = "Minimum number of running tasks (autoscaling floor; the too-few-tasks alarm fires below it)."
  type        = number

  validation {
    condition     = var.min_count >= 1
    error_message = "min_count must be at least 1."
  }
}

variable "max_count" {
  description = "Maximum number of running tasks (autoscaling ceiling)."
  type        = number

  validation {
    condition     = var.max_count >= var.min_count
    error_message = "max_count must be greater than or equal to min_count."
  }
}

variable "container_port" {
  description = "Port the application listens on (PORT of the container)."
  type        = number
  default     = 8080
}

# --- alarm thresholds -------------------------------------------------------

variable "p99_latency_threshold_seconds" {
  description = "p99 of TargetResponseTime above which the p99-latency alarm fires."
  type        = number
  default     = 1
}

variable "service_5xx_rate_threshold_percent" {
  description = "Share of requests answered 5xx by the service above which service-5xx-rate fires."
  type        = number
  default     = 5
}

variable "load_balancer_5xx_threshold" {
  description = "5xx per minute generated by the load balancer itself above which load-balancer-5xx fires."
  type        = number
  default     = 10
}

variable "cpu_high_threshold_percent" {
  description = "Average CPU utilization of the service above which cpu-high fires."
  type        = number
  default     = 90
}

variable "memory_high_threshold_percent" {
  description = "Average memory utilization of the service above which memory-high fires."
  type        = number
  default     = 75
}

# --- relational databases ---------------------------------------------------

variable "database_instance_class" {
  description = "Aurora instance class (Performance Insights needs db.t4g.medium or larger)."
  type        = string
  default     = "db.t4g.medium"
}

variable "database_instance_count" {
  description = "Aurora instances per cluster: one writer plus readers that take over on failure."
  type        = number
  default     = 2
}

variable "postgres_engine_version" {
  description = "Aurora PostgreSQL engine version (its major version must match the parameter group family)."
  type        = string
  default     = "16.6"
}

variable "mysql_engine_version" {
  description = "Aurora MySQL engine version (Aurora MySQL 3, MySQL 8.0 compatible)."
  type        = string
  default     = "8.0.mysql_aurora.3.08.0"
}

variable "redis_node_type" {
  description = "ElastiCache Redis node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "memcached_node_type" {
  description = "ElastiCache Memcached node type."
  type        = string
  default     = "cache.t4g.small"
}
