# Aurora PostgreSQL of jv-web-stores. The master password is generated and
# rotated by RDS in Secrets Manager (manage_master_user_password): it is
# never in this repository or in the Terraform state.

locals {
  postgres_environment = {
    POSTGRES_HOST = aws_rds_cluster.postgres.endpoint
    POSTGRES_PORT = tostring(aws_rds_cluster.postgres.port)
    POSTGRES_DB   = aws_rds_cluster.postgres.database_name
    POSTGRES_USER = aws_rds_cluster.postgres.master_username
  }
  postgres_secret_arn = aws_rds_cluster.postgres.master_user_secret[0].secret_arn
  postgres_secrets = {
    POSTGRES_PASSWORD = "${local.postgres_secret_arn}:password::"
  }
}

resource "aws_rds_cluster_parameter_group" "postgres" {
  name        = "${local.name}-postgres"
  family      = "aurora-postgresql${split(".", var.postgres_engine_version)[0]}"
  description = "Query logging for ${var.service_name} (${var.environment})"

  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  # Statements slower than one second are logged with their duration.
  parameter {
    name  = "log_min_duration_statement"
    value = "1000"
  }
}

resource "aws_rds_cluster" "postgres" {
  cluster_identifier                  = "${local.name}-postgres"
  engine                              = "aurora-postgresql"
  engine_version                      = var.postgres_engine_version
  database_name                       = "jv_web_stores"
  master_username                     = "jv_web_stores"
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = aws_kms_key.this.key_id
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.this.arn
  iam_database_authentication_enabled = true
  deletion_protection                 = true
  backup_retention_period             = 7
  preferred_backup_window             = "03:00-04:00"
  copy_tags_to_snapshot               = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${local.name}-postgres-final"
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  db_subnet_group_name                = aws_db_subnet_group.this.name
  db_cluster_parameter_group_name     = aws_rds_cluster_parameter_group.postgres.name
  vpc_security_group_ids              = [aws_security_group.postgres.id]
}

resource "aws_rds_cluster_instance" "postgres" {
  count = var.database_instance_count

  identifier                            = "${local.name}-postgres-${count.index}"
  cluster_identifier                    = aws_rds_cluster.postgres.id
  engine                                = aws_rds_cluster.postgres.engine
  engine_version                        = aws_rds_cluster.postgres.engine_version
  instance_class                        = var.database_instance_class
  db_subnet_group_name                  = aws_db_subnet_group.this.name
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.this.arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = aws_iam_role.rds_monitoring.arn
  copy_tags_to_snapshot                 = true
}

resource "aws_security_group" "postgres" {
  name        = "${local.name}-postgres"
  description = "Aurora PostgreSQL of ${var.service_name} in ${var.environment}"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "postgres_from_tasks" {
  security_group_id            = aws_security_group.postgres.id
  description                  = "PostgreSQL from the service's tasks only"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.task.id
}

resource "aws_vpc_security_group_egress_rule" "task_to_postgres" {
  security_group_id            = aws_security_group.task.id
  description                  = "PostgreSQL of the service"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.postgres.id
}
