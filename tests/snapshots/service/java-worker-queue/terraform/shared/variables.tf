# --- billing tags (provider default_tags) -----------------------------------

variable "environment" {
  description = "Environment tag of the shared resources: shared."
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
  description = "Owning team, tag `owner`."
  type        = string

  validation {
    condition     = length(trimspace(var.owner)) > 0
    error_message = "owner must not be empty: it is a mandatory billing tag."
  }
}

variable "aws_region" {
  description = "AWS region of the image repository."
  type        = string
}
