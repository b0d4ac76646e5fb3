# ElastiCache Redis of jv-web-stores: encrypted at rest (service key) and in
# transit, AUTH token, automatic failover across two availability zones.
# REDIS_URL (rediss://:<token>@<host>:6379) reaches the task as a secret.

locals {
  redis_environment = {}
  redis_secret_arn  = aws_secretsmanager_secret.redis_url.arn
  redis_secrets = {
    REDIS_URL = local.redis_secret_arn
  }
}

resource "random_password" "redis_auth_token" {
  length  = 64
  special = false
}

resource "aws_elasticache_subnet_group" "redis" {
  name        = "${local.name}-redis"
  description = "Private subnets of the ${var.service_name} Redis in ${var.environment}"
  subnet_ids  = var.private_subnet_ids
}

resource "aws_elasticache_replication_group" "redis" {
  replication_group_id       = "${local.name}-redis"
  description                = "Redis of ${var.service_name} in ${var.environment}"
  engine                     = "redis"
  engine_version             = "7.1"
  parameter_group_name       = "default.redis7"
  node_type                  = var.redis_node_type
  num_cache_clusters         = 2
  port                       = 6379
  automatic_failover_enabled = true
  multi_az_enabled           = true
  at_rest_encryption_enabled = true
  transit_encryption_enabled = true
  kms_key_id                 = aws_kms_key.this.arn
  auth_token                 = random_password.redis_auth_token.result
  auto_minor_version_upgrade = true
  snapshot_retention_limit   = 7
  snapshot_window            = "03:00-04:00"
  subnet_group_name          = aws_elasticache_subnet_group.redis.name
  security_group_ids         = [aws_security_group.redis.id]
}

resource "aws_secretsmanager_secret" "redis_url" {
  #checkov:skip=CKV2_AWS_57:The value embeds the ElastiCache AUTH token, which Secrets Manager cannot rotate; rotate it with terraform apply -replace=random_password.redis_auth_token.
  name                    = "${var.service_name}/${var.environment}/redis-url"
  description             = "REDIS_URL of ${var.service_name} in ${var.environment}"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.redis_url.id
  secret_string = "rediss://:${random_password.redis_auth_token.result}@${aws_elasticache_replication_group.redis.primary_endpoint_address}:6379"
}

resource "aws_security_group" "redis" {
  name        = "${local.name}-redis"
  description = "Redis of ${var.service_name} in ${var.environment}"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_tasks" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the service's tasks only"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.task.id
}

resource "aws_vpc_security_group_egress_rule" "task_to_redis" {
  security_group_id            = aws_security_group.task.id
  description                  = "Redis of the service"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.redis.id
}
