################################################################################
# Security group: HTTPS from the company's ranges; out to the webserver and to Cognito
################################################################################

resource "aws_security_group" "this" {
  name        = "${var.name}-alb"
  description = "Load balancer: HTTPS from the allowed ranges, to the webserver and the sign-in service"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb" })
}

resource "aws_vpc_security_group_ingress_rule" "https" {
  for_each = toset(var.allowed_cidr_blocks)

  security_group_id = aws_security_group.this.id
  description       = "HTTPS from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "webserver" {
  security_group_id = aws_security_group.this.id
  description       = "HTTP to the webserver tasks in the VPC"
  ip_protocol       = "tcp"
  from_port         = 3000
  to_port           = 3000
  cidr_ipv4         = data.aws_vpc.this.cidr_block
}

# The load balancer itself exchanges the sign-in code for tokens at Cognito's public
# endpoints, whose addresses AWS does not publish as a fixed range.
resource "aws_vpc_security_group_egress_rule" "cognito" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to the Cognito token and user-info endpoints"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

data "aws_vpc" "this" {
  id = var.vpc_id
}

################################################################################
# Load balancer
################################################################################

resource "aws_lb" "this" {
  name                       = "${var.name}-web"
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.public_subnet_ids
  security_groups            = [aws_security_group.this.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = 120

  access_logs {
    bucket  = var.access_log_bucket
    prefix  = "alb"
    enabled = true
  }

  tags = var.tags
}

resource "aws_lb_target_group" "webserver" {
  name        = "${var.name}-web"
  vpc_id      = var.vpc_id
  target_type = "ip"
  protocol    = "HTTP"
  port        = 3000

  health_check {
    path                = "/server_info"
    matcher             = "200"
    interval            = 30
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }

  tags = var.tags
}

################################################################################
# Listener: HTTPS only (no port 80 at all); every request signs in first
################################################################################

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate_validation.this.certificate_arn

  default_action {
    type  = "authenticate-cognito"
    order = 1

    authenticate_cognito {
      user_pool_arn              = aws_cognito_user_pool.this.arn
      user_pool_client_id        = aws_cognito_user_pool_client.webserver.id
      user_pool_domain           = aws_cognito_user_pool_domain.this.domain
      session_timeout            = var.session_timeout_seconds
      on_unauthenticated_request = "authenticate"
    }
  }

  default_action {
    type             = "forward"
    order            = 2
    target_group_arn = aws_lb_target_group.webserver.arn
  }

  tags = var.tags
}
