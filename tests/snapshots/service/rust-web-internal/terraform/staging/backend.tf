terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # One state file per environment and service, in the platform's state
  # bucket of the environment (convention: platform-terraform-state-<env>).
  # S3-native locking (use_lockfile) replaces the DynamoDB lock table.
  backend "s3" {
    bucket       = "platform-terraform-state-staging"
    key          = "services/rs-web-int/staging/terraform.tfstate"
    region       = "us-east-1"
    encrypt      = true
    use_lockfile = true
  }
}
