# Aurora MySQL of sc-cron-stores. The master password is generated and
# rotated by RDS in Secrets Manager (manage_master_user_password): it is
# never in this repository or in the Terraform state.

locals {
  mysql_environment = {
    MYSQL_HOST     = aws_rds_cluster.mysql.endpoint
    MYSQL_PORT     = tostring(aws_rds_cluster.mysql.port)
    MYSQL_DATABASE = aws_rds_cluster.mysql.database_name
    MYSQL_USER     = aws_rds_cluster.mysql.master_username
  }
  mysql_secret_arn = aws_rds_cluster.mysql.master_user_secret[0].secret_arn
  mysql_secrets = {
    MYSQL_PASSWORD = "${local.mysql_secret_arn}:password::"
  }
}

resource "aws_rds_cluster_parameter_group" "mysql" {
  name        = "${local.name}-mysql"
  family      = "aurora-mysql8.0"
  description = "Audit and slow query logging for ${var.service_name} (${var.environment})"

  parameter {
    name  = "server_audit_logging"
    value = "1"
  }

  parameter {
    name  = "server_audit_events"
    value = "CONNECT,QUERY_DCL,QUERY_DDL"
  }

  parameter {
    name  = "slow_query_log"
    value = "1"
  }

  parameter {
    name  = "long_query_time"
    value = "1"
  }
}

resource "aws_rds_cluster" "mysql" {
  cluster_identifier                  = "${local.name}-mysql"
  engine                              = "aurora-mysql"
  engine_version                      = var.mysql_engine_version
  database_name                       = "sc_cron_stores"
  master_username                     = substr("sc_cron_stores", 0, 16) # MySQL user names: 16 characters at most
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = aws_kms_key.this.key_id
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.this.arn
  iam_database_authentication_enabled = true
  deletion_protection                 = true
  backup_retention_period             = 7
  backtrack_window                    = 86400 # rewind up to 24 hours without a restore
  preferred_backup_window             = "03:00-04:00"
  copy_tags_to_snapshot               = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${local.name}-mysql-final"
  enabled_cloudwatch_logs_exports     = ["audit", "error", "slowquery"]
  db_subnet_group_name                = aws_db_subnet_group.this.name
  db_cluster_parameter_group_name     = aws_rds_cluster_parameter_group.mysql.name
  vpc_security_group_ids              = [aws_security_group.mysql.id]
}

resource "aws_rds_cluster_instance" "mysql" {
  count = var.database_instance_count

  identifier                            = "${local.name}-mysql-${count.index}"
  cluster_identifier                    = aws_rds_cluster.mysql.id
  engine                                = aws_rds_cluster.mysql.engine
  engine_version                        = aws_rds_cluster.mysql.engine_version
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

resource "aws_security_group" "mysql" {
  name        = "${local.name}-mysql"
  description = "Aurora MySQL of ${var.service_name} in ${var.environment}"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_ingress_rule" "mysql_from_tasks" {
  security_group_id            = aws_security_group.mysql.id
  description                  = "MySQL from the service's tasks only"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.task.id
}

resource "aws_vpc_security_group_egress_rule" "task_to_mysql" {
  security_group_id            = aws_security_group.task.id
  description                  = "MySQL of the service"
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  referenced_security_group_id = aws_security_group.mysql.id
}
