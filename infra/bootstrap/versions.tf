terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }

  # The state of this stack stays local on the first apply (the bucket does not exist yet);
  # README shows how to move it into the bucket afterwards.
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "pharma-pipelines"
      Stack       = "bootstrap"
      ManagedBy   = "terraform"
    }
  }
}
