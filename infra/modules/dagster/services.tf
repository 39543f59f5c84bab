################################################################################
# Services: webserver, daemon, code server
################################################################################

locals {
  services = {
    webserver = { desired = 1, minimum_healthy = 100, maximum = 200 }
    # Exactly one daemon at any time, also during a deployment: two would launch the same
    # queued runs twice. The old task stops before the new one starts.
    daemon        = { desired = 1, minimum_healthy = 0, maximum = 100 }
    code_location = { desired = var.code_location_scaling.min, minimum_healthy = 100, maximum = 200 }
  }
  service_security_groups = {
    webserver     = aws_security_group.this["webserver"].id
    daemon        = aws_security_group.this["workers"].id
    code_location = aws_security_group.this["code_location"].id
  }
}

resource "aws_ecs_service" "this" {
  for_each = local.services

  name                               = local.families[each.key]
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this[each.key].arn
  desired_count                      = each.value.desired
  deployment_minimum_healthy_percent = each.value.minimum_healthy
  deployment_maximum_percent         = each.value.maximum
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  enable_execute_command             = false
  health_check_grace_period_seconds  = each.key == "webserver" ? 120 : null

  network_configuration {
    subnets          = var.subnet_ids
    security_groups  = [local.service_security_groups[each.key]]
    assign_public_ip = false
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  dynamic "load_balancer" {
    for_each = each.key == "webserver" ? [var.load_balancer.target_group_arn] : []
    content {
      target_group_arn = load_balancer.value
      container_name   = local.container_names.webserver
      container_port   = local.webserver_port
    }
  }

  dynamic "service_registries" {
    for_each = each.key == "code_location" ? [aws_service_discovery_service.code_location.arn] : []
    content {
      registry_arn = service_registries.value
    }
  }

  tags = var.tags

  lifecycle {
    # The code server's task count belongs to its autoscaling policy once it runs.
    ignore_changes = [desired_count]
  }
}

################################################################################
# Autoscaling of the code server
################################################################################

resource "aws_appautoscaling_target" "code_location" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.this["code_location"].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.code_location_scaling.min
  max_capacity       = var.code_location_scaling.max

  tags = var.tags
}

resource "aws_appautoscaling_policy" "code_location_cpu" {
  name               = "${local.families.code_location}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.code_location.service_namespace
  resource_id        = aws_appautoscaling_target.code_location.resource_id
  scalable_dimension = aws_appautoscaling_target.code_location.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.code_location_scaling.target_cpu_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
