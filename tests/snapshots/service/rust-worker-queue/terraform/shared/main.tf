provider "aws" {
  region = var.aws_region

  # Billing tags on every resource.
  default_tags {
    tags = {
      environment   = var.environment
      service       = var.service
      "sub-service" = var.sub_service
      owner         = var.owner
    }
  }
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

# --- image repository -------------------------------------------------------
# Tags are immutable: the pipeline pushes <commit>-<build> once and every
# environment deploys that exact image; nothing is ever pushed as latest.

resource "aws_ecr_repository" "this" {
  name                 = var.sub_service
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = aws_kms_key.ecr.arn
  }
}

# Untagged layers left by failed pushes go after two weeks. Tagged images
# stay: an older one may still run in prod.
resource "aws_ecr_lifecycle_policy" "this" {
  repository = aws_ecr_repository.this.name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Expire untagged images after 14 days"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 14
        }
        action = {
          type = "expire"
        }
      },
    ]
  })
}

resource "aws_kms_key" "ecr" {
  description             = "${var.sub_service}: image repository"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.ecr_key.json
}

resource "aws_kms_alias" "ecr" {
  name          = "alias/${var.sub_service}-ecr"
  target_key_id = aws_kms_key.ecr.key_id
}

# ECR uses the key through grants it creates with the caller's permissions,
# so administering it through IAM in this account is all it needs.
data "aws_iam_policy_document" "ecr_key" {
  #checkov:skip=CKV_AWS_109:A key policy's Resource "*" means this key only; the account-root statement delegates to IAM as AWS recommends.
  #checkov:skip=CKV_AWS_111:A key policy's Resource "*" means this key only; writes are limited to principals of this account.
  #checkov:skip=CKV_AWS_356:A key policy's Resource "*" means this key only; it cannot be narrowed further.
  statement {
    sid       = "AccountAdministersThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

output "repository_url" {
  description = "Push images here (the pipeline tags them <commit>-<build>)."
  value       = aws_ecr_repository.this.repository_url
}
