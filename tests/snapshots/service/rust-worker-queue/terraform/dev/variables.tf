# --- billing tags (provider default_tags) -----------------------------------

variable "environment" {
  description = "Environment name, tag `environment`: dev, staging or prod."
  type        = string

  validation {
    condition     = length(trimspace(var.environment)) > 0
    error_message = "environment must not be empty: it is a mandatory billing tag."
  }
}

variable "service" {
  description = "Product the service belongs to, tag `service`."
  type        = string

  validation {
    condition     = length(trimspace(var.service)) > 0
    error_message = "service must not be empty: it is a mandatory billing tag."
  }
}

variable "sub_service" {
  description = "This service, tag `sub-service`; also the name of its resources."
  type        = string

  validation {
    condition     = length(trimspace(var.sub_service)) > 0
    error_message = "sub_service must not be empty: it is a mandatory billing tag."
  }
}

variable "owner" {
  description = "Owning team, tag `owner`; also selects its PagerDuty services."
  type        = string

  validation {
    condition     = length(trimspace(var.owner)) > 0
    error_message = "owner must not be empty: it is a mandatory billing tag."
  }
}

# --- placement and size -----------------------------------------------------

variable "aws_region" {
  description = "AWS region of the environment."
  type        = string
}

variable "cpu" {
  description = "Task CPU units (1024 = 1 vCPU)."
  type        = number
}

variable "memory" {
  description = "Task memory (MiB); a valid Fargate size for cpu."
  type        = number
}

variable "min_count" {
  description = "Minimum number of running tasks."
  type        = number
}

variable "max_count" {
  description = "Maximum number of running tasks."
  type        = number
}

# --- deployment -------------------------------------------------------------

variable "image_tag" {
  description = "Image tag to deploy (the pipeline passes -var image_tag=...); null keeps the deployed one."
  type        = string
  default     = null
}
