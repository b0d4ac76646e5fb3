# sc-web-ext in dev: names and sizes come from terraform.tfvars.
# dev, staging and prod differ here only in load balancer deletion protection,
# paging and database size.

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

# --- platform lookups -------------------------------------------------------
# The platform team provides, in every environment, resources found by these
# conventional names and tags:
#   VPC                 tag Name = <environment>
#   private subnets     tag Tier = private (tasks)
#   public subnets      tag Tier = public (the internet-facing load balancer)
#   ECS cluster         <environment>, with Container Insights on
#   ACM certificate     *.<environment>.example.internal
#   Route 53 zone       <environment>.example.internal (public)
#   access-log bucket   platform-alb-access-logs-<account id>-<region>
#   PagerDuty URLs      SSM parameters /platform/pagerduty/<owner>/high-urgency-url
#                       and /platform/pagerduty/<owner>/low-urgency-url
# The image repository comes from ../shared.

data "aws_caller_identity" "current" {}

data "aws_vpc" "this" {
  tags = {
    Name = var.environment
  }
}

data "aws_subnets" "private" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }

  tags = {
    Tier = "private"
  }
}

data "aws_subnets" "public" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.this.id]
  }

  tags = {
    Tier = "public"
  }
}

data "aws_ecs_cluster" "this" {
  cluster_name = var.environment
}

data "aws_ecr_repository" "this" {
  name = var.sub_service
}

data "aws_acm_certificate" "this" {
  domain      = "*.${var.environment}.example.internal"
  statuses    = ["ISSUED"]
  most_recent = true
}

data "aws_route53_zone" "this" {
  name         = "${var.environment}.example.internal"
  private_zone = false
}

data "aws_s3_bucket" "alb_access_logs" {
  bucket = "platform-alb-access-logs-${data.aws_caller_identity.current.account_id}-${var.aws_region}"
}

data "aws_ssm_parameter" "pagerduty_high_urgency" {
  name = "/platform/pagerduty/${var.owner}/high-urgency-url"
}

data "aws_ssm_parameter" "pagerduty_low_urgency" {
  name = "/platform/pagerduty/${var.owner}/low-urgency-url"
}

# --- the service ------------------------------------------------------------

module "service" {
  #checkov:skip=CKV_AWS_150:dev: the load balancer has no deletion protection so that dev can be torn down; staging and prod keep it on.
  source = "../modules/service"

  service_name = var.sub_service
  environment  = var.environment
  aws_region   = var.aws_region

  vpc_id             = data.aws_vpc.this.id
  private_subnet_ids = data.aws_subnets.private.ids
  ecs_cluster_name   = data.aws_ecs_cluster.this.cluster_name
  ecs_cluster_arn    = data.aws_ecs_cluster.this.arn
  vpc_cidr_block     = data.aws_vpc.this.cidr_block
  public_subnet_ids  = data.aws_subnets.public.ids

  hostname               = "sc-web-ext.${var.environment}.example.internal"
  certificate_arn        = data.aws_acm_certificate.this.arn
  route53_zone_id        = data.aws_route53_zone.this.zone_id
  alb_access_logs_bucket = data.aws_s3_bucket.alb_access_logs.id
  deletion_protection    = false # dev: can be torn down

  # Only prod pages the on-call out of hours: in dev and staging the
  # high-urgency alarms go to the low-urgency PagerDuty service too.
  pagerduty_high_urgency_url = data.aws_ssm_parameter.pagerduty_low_urgency.value
  pagerduty_low_urgency_url  = data.aws_ssm_parameter.pagerduty_low_urgency.value

  image_repository_url = data.aws_ecr_repository.this.repository_url
  image_tag            = var.image_tag

  cpu    = var.cpu
  memory = var.memory

  min_count = var.min_count
  max_count = var.max_count
}
