terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Exactly the version in the offline provider mirror (/opt/tf-plugins), so init never needs the registry.
      version = "= 5.100.0"
    }
  }
}
