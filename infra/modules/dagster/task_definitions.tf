################################################################################
# Task definitions: one per task kind, images from the release record
################################################################################

locals {
  container_names = {
    webserver     = "webserver"
    daemon        = "daemon"
    code_location = "code-location"
    # EcsRunLauncher overrides the command of the container with this name.
    run     = "run"
    migrate = "migrate"
  }

  container_definitions = {
    for kind, component in local.components : kind => [merge(
      {
        name        = local.container_names[kind]
        image       = component.image
        essential   = true
        user        = "10001:10001"
        privileged  = false
        environment = [for key in sort(keys(component.environment)) : { name = key, value = component.environment[key] }]
        secrets     = [for key in sort(keys(component.secrets)) : { name = key, valueFrom = component.secrets[key] }]
        # The processes write temporary files, Dagster's log staging and (code server, runs)
        # numba's compiled kernels; the code itself is owned by root and stays read-only
        # to the unprivileged user that runs it.
        readonlyRootFilesystem = false
        logConfiguration = {
          logDriver = "awslogs"
          options = {
            awslogs-group         = aws_cloudwatch_log_group.this[kind].name
            awslogs-region        = local.region
            awslogs-stream-prefix = kind
          }
        }
      },
      component.command == null ? {} : { command = component.command },
      component.port == null ? {} : { portMappings = [{ containerPort = component.port, protocol = "tcp" }] },
      component.health == null ? {} : {
        healthCheck = { command = component.health, interval = 30, timeout = 10, retries = 3, startPeriod = 120 }
      },
    )]
  }
}

resource "aws_ecs_task_definition" "this" {
  #checkov:skip=CKV_AWS_336:Writable root filesystems, see readonlyRootFilesystem above: numba requires a writable cache folder and Fargate bind mounts would hide the kernels compiled into the image; containers run as UID 10001, which cannot change the root-owned code.
  for_each = local.components

  family                   = local.families[each.key]
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_sizes[each.key].cpu
  memory                   = var.task_sizes[each.key].memory
  execution_role_arn       = aws_iam_role.execution[each.key].arn
  task_role_arn            = contains(keys(aws_iam_role.task), each.key) ? aws_iam_role.task[each.key].arn : null
  container_definitions    = jsonencode(local.container_definitions[each.key])

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  tags = var.tags
}
