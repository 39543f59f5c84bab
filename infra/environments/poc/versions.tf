terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7, < 4.0"
    }
  }

  # bucket and region come from `terraform init -backend-config=...` (see README).
  backend "s3" {
    key          = "pharma-pipelines/poc.tfstate"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "pharma-pipelines"
      Environment = "poc"
      ManagedBy   = "terraform"
    }
  }
}
