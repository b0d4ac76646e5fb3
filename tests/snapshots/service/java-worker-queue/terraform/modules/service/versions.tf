# The jv-queue service module: everything the service owns in one
# environment. It is self-contained: the environments in ../../dev,
# ../../staging and ../../prod look up the platform's shared pieces (VPC,
# subnets, ECS cluster, certificate, DNS zone, PagerDuty integrations) and
# pass them in as variables.
terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }
}
