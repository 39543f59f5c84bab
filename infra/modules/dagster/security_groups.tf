locals {
  # Every task reaches the AWS APIs through the interface endpoints and S3 (buckets, image
  # layers) through the gateway endpoint, and nothing else outside the VPC.
  security_groups = {
    webserver     = "Dagster webserver: HTTP from the load balancer only"
    workers       = "Dagster daemon and the runs it launches (runs copy the daemon's network configuration): no inbound"
    code_location = "Code server: gRPC from the webserver and the daemon only"
    migrate       = "Warehouse migration task: no inbound"
  }

  # (security group, destination group, port, why) for every egress to another group.
  group_egress = {
    webserver_dagster_db = ["webserver", var.dagster_database.security_group_id, 5432, "Dagster storage"]
    webserver_code       = ["webserver", aws_security_group.this["code_location"].id, local.code_location_port, "code server"]
    workers_dagster_db   = ["workers", var.dagster_database.security_group_id, 5432, "Dagster storage"]
    workers_warehouse    = ["workers", var.warehouse_database.security_group_id, 5432, "warehouse"]
    workers_code         = ["workers", aws_security_group.this["code_location"].id, local.code_location_port, "code server"]
    code_dagster_db      = ["code_location", var.dagster_database.security_group_id, 5432, "Dagster storage"]
    migrate_warehouse    = ["migrate", var.warehouse_database.security_group_id, 5432, "warehouse"]
    webserver_endpoints  = ["webserver", var.endpoint_security_group_id, 443, "AWS API endpoints"]
    workers_endpoints    = ["workers", var.endpoint_security_group_id, 443, "AWS API endpoints"]
    code_endpoints       = ["code_location", var.endpoint_security_group_id, 443, "AWS API endpoints"]
    migrate_endpoints    = ["migrate", var.endpoint_security_group_id, 443, "AWS API endpoints"]
  }
}

################################################################################
# Groups
################################################################################

resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:Attached through maps checkov does not follow: the services (services.tf), the runs (the daemon's network configuration, copied by the launcher) and the migration task (started by the deploy workflow with this group).
  for_each = local.security_groups

  name        = "${var.name}-${replace(each.key, "_", "-")}"
  description = each.value
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-${replace(each.key, "_", "-")}" })
}

################################################################################
# Inbound
################################################################################

resource "aws_vpc_security_group_ingress_rule" "webserver_from_load_balancer" {
  security_group_id            = aws_security_group.this["webserver"].id
  description                  = "Webserver HTTP from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = local.webserver_port
  to_port                      = local.webserver_port
  referenced_security_group_id = var.load_balancer.security_group_id
}

resource "aws_vpc_security_group_ingress_rule" "code_location" {
  for_each = toset(["webserver", "workers"])

  security_group_id            = aws_security_group.this["code_location"].id
  description                  = "Code server gRPC from the ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = local.code_location_port
  to_port                      = local.code_location_port
  referenced_security_group_id = aws_security_group.this[each.key].id
}

################################################################################
# Outbound
################################################################################

resource "aws_vpc_security_group_egress_rule" "to_group" {
  for_each = local.group_egress

  security_group_id            = aws_security_group.this[each.value[0]].id
  description                  = "To the ${each.value[3]}"
  ip_protocol                  = "tcp"
  from_port                    = each.value[2]
  to_port                      = each.value[2]
  referenced_security_group_id = each.value[1]
}

resource "aws_vpc_security_group_egress_rule" "to_s3" {
  for_each = local.security_groups

  security_group_id = aws_security_group.this[each.key].id
  description       = "HTTPS to S3 through the gateway endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = var.s3_prefix_list_id
}
