locals {
  container_name = var.service_name

  # Runtime contract shared with docker-compose.yml: the same variables
  # locally and in AWS.
  container_environment = merge(
    {
      SERVICE_NAME = var.service_name
      ENVIRONMENT  = var.environment
      LOG_LEVEL    = var.log_level
      AWS_REGION   = var.aws_region
    },
  )

  container_secrets = {}
}

resource "aws_ecs_task_definition" "this" {
  family                   = local.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # The root filesystem is read-only; /tmp is the one writable path.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name      = local.container_name
      image     = local.image
      essential = true
      command   = ["cron"]

      readonlyRootFilesystem = true
      stopTimeout            = 30
      linuxParameters        = { initProcessEnabled = true }
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]

      environment = [for name, value in local.container_environment : { name = name, value = value }]
      secrets     = [for name, arn in local.container_secrets : { name = name, valueFrom = arn }]

      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = var.aws_region
          awslogs-stream-prefix = "ecs"
        }
      }
    }
  ])
}

# --- network ----------------------------------------------------------------

resource "aws_security_group" "task" {
  #checkov:skip=CKV2_AWS_5:Attached to every task the schedule starts (aws_scheduler_schedule.this network_configuration), a link checkov does not follow.
  name        = "${local.name}-task"
  description = "Tasks of ${var.service_name} in ${var.environment}"
  vpc_id      = var.vpc_id
}

resource "aws_vpc_security_group_egress_rule" "task_https" {
  security_group_id = aws_security_group.task.id
  description       = "HTTPS to AWS APIs (ECR, CloudWatch Logs, Secrets Manager) and HTTPS dependencies"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
