# ElastiCache Memcached of sc-cron-stores: two nodes in different availability
# zones, TLS in transit. MEMCACHED_SERVERS lists host:port of every node.

locals {
  memcached_environment = {
    MEMCACHED_SERVERS = join(",", [for node in aws_elasticache_cluster.memcached.cache_nodes : "${node.address}:${node.port}"])
  }
}

resource "aws_elasticache_subnet_group" "memcached" {
  name        = "${local.name}-memcached"
  description = "Private subnets of the ${var.service_name} Memcached in ${var.environment}"
  subnet_ids  = var.private_subnet_ids
}

resource "aws_elasticache_cluster" "memcached" {
  cluster_id                 = "${local.name}-memcached"
  engine                     = "memcached"
  engine_version             = "1.6.22"
  parameter_group_name       = "default.memcached1.6"
  node_type                  = var.memcached_node_type
  num_cache_nodes            = 2
  az_mode                    = "cross-az"
  port                       = 11211
  transit_encryption_enabled = true
  subnet_group_name          = aws_elasticache_subnet_group.memcached.name
  security_group_ids         = [aws_security_group.memcached.id]
}

resource "aws_security_group" "memcached" {
  name        = "${local.name}-memcached"
  description = "Memcached of ${var.service_name} in ${var.environment}"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "memcached_from_tasks" {
  security_group_id            = aws_security_group.memcached.id
  description                  = "Memcached from the service's tasks only"
  ip_protocol                  = "tcp"
  from_port                    = 11211
  to_port                      = 11211
  referenced_security_group_id = aws_security_group.task.id
}

resource "aws_vpc_security_group_egress_rule" "task_to_memcached" {
  security_group_id            = aws_security_group.task.id
  description                  = "Memcached of the service"
  ip_protocol                  = "tcp"
  from_port                    = 11211
  to_port                      = 11211
  referenced_security_group_id = aws_security_group.memcached.id
}
