data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  region     = data.aws_region.current.region
  account_id = data.aws_caller_identity.current.account_id

  dagster_home       = "/opt/dagster/dagster_home"
  workspace          = "${local.dagster_home}/workspace.yaml"
  code_location_port = 4000
  webserver_port     = 3000

  families = {
    webserver     = "${var.name}-webserver"
    daemon        = "${var.name}-daemon"
    code_location = "${var.name}-code-location"
    run           = "${var.name}-run"
    migrate       = "${var.name}-migrate"
  }

  code_location_host = "code-location.${aws_service_discovery_private_dns_namespace.this.name}"

  # Every process that opens the Dagster instance (dagster.production.yaml) needs these.
  instance_environment = {
    DAGSTER_PG_HOST             = var.dagster_database.address
    DAGSTER_PG_PORT             = tostring(var.dagster_database.port)
    DAGSTER_PG_DB               = var.dagster_database.database_name
    DAGSTER_PG_USER             = var.dagster_database.username
    DAGSTER_COMPUTE_LOG_BUCKET  = var.run_storage_bucket.id
    DAGSTER_RUN_TASK_DEFINITION = local.families.run
  }
  instance_secrets = {
    DAGSTER_PG_PASSWORD = var.dagster_database.password_parameter_arn
  }

  # What the product itself reads (pharma_pipelines.settings).
  product_environment = merge(var.pharma_settings, {
    PHARMA_LANDING_ZONE = "s3://${var.landing_bucket.id}/${var.landing_bucket.prefix}"
  })
  product_secrets = {
    PHARMA_WAREHOUSE_URL = var.warehouse_database.url_parameter_arn
  }

  workspace_environment = {
    DAGSTER_CODE_LOCATION_HOST = local.code_location_host
    DAGSTER_CODE_LOCATION_PORT = tostring(local.code_location_port)
  }

  # Per task: its image, environment, secrets (SSM parameter ARNs) and how it is checked.
  components = {
    webserver = {
      image       = var.images.dagster
      environment = merge(local.instance_environment, local.workspace_environment)
      secrets     = local.instance_secrets
      command     = ["dagster-webserver", "--host", "0.0.0.0", "--port", tostring(local.webserver_port), "--workspace", local.workspace]
      port        = local.webserver_port
      health      = ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${local.webserver_port}/server_info', timeout=5)"]
    }
    daemon = {
      image       = var.images.dagster
      environment = merge(local.instance_environment, local.workspace_environment)
      secrets     = local.instance_secrets
      command     = ["dagster-daemon", "run", "--workspace", local.workspace]
      port        = null
      health      = ["CMD", "dagster-daemon", "liveness-check"]
    }
    code_location = {
      image       = var.images.code_location
      environment = merge(local.instance_environment, local.product_environment)
      secrets     = merge(local.instance_secrets, local.product_secrets)
      command     = null
      port        = local.code_location_port
      health      = ["CMD", "dagster", "api", "grpc-health-check", "--port", tostring(local.code_location_port)]
    }
    # The launcher replaces the command with `dagster api execute_run ...`.
    run = {
      image       = var.images.code_location
      environment = merge(local.instance_environment, local.product_environment)
      secrets     = merge(local.instance_secrets, local.product_secrets)
      command     = null
      port        = null
      health      = null
    }
    migrate = {
      image       = var.images.migrate
      environment = {}
      secrets     = local.product_secrets
      command     = null
      port        = null
      health      = null
    }
  }
}
