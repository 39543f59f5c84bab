################################################################################
# Security group: PostgreSQL from the named clients only
################################################################################

resource "aws_security_group" "this" {
  name        = var.name
  description = "${var.purpose}: PostgreSQL from the tasks that use it"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each = var.client_security_group_ids

  security_group_id            = aws_security_group.this.id
  description                  = "PostgreSQL from ${each.key}"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = each.value
}
