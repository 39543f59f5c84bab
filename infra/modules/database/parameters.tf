################################################################################
# Connection secrets in Parameter Store (SecureString), read by ECS when a task starts
################################################################################

resource "aws_ssm_parameter" "password" {
  name             = "${var.parameter_prefix}/password"
  description      = "${var.purpose}: password of ${var.username}"
  type             = "SecureString"
  key_id           = var.kms_key_arn
  value_wo         = ephemeral.random_password.master.result
  value_wo_version = var.password_version

  tags = var.tags
}

resource "aws_ssm_parameter" "url" {
  count = var.sqlalchemy_url_driver == null ? 0 : 1

  name             = "${var.parameter_prefix}/url"
  description      = "${var.purpose}: SQLAlchemy URL with the password of ${var.username}"
  type             = "SecureString"
  key_id           = var.kms_key_arn
  value_wo         = "${var.sqlalchemy_url_driver}://${var.username}:${ephemeral.random_password.master.result}@${aws_db_instance.this.address}:${aws_db_instance.this.port}/${var.database_name}?sslmode=require"
  value_wo_version = var.password_version

  tags = var.tags
}
