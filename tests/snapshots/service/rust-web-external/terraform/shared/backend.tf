terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Resources shared by every environment (the image repository: one image is
  # built once and promoted from dev to prod), in a state of their own.
  backend "s3" {
    bucket       = "platform-terraform-state-shared"
    key          = "services/rs-web-ext/shared/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
