variable "aws_endpoint_url" {
  description = "Emulator endpoint: LocalStack http://127.0.0.1:4566, moto server http://127.0.0.1:5000."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "region" {
  description = "Region the emulator pretends to be."
  type        = string
  default     = "us-east-1"
}

variable "environment" {
  description = "Environment name in resource names (stresslens-<environment>-input, ...)."
  type        = string
  default     = "local"
}

variable "enable_function" {
  description = "Create the function, trigger and alarms: only on emulators that accept them (moto), never LocalStack host mode."
  type        = bool
  default     = false
}

variable "lambda_zip" {
  description = "Deployment zip when enable_function is true."
  type        = string
  default     = null
}

variable "lambda_architecture" {
  description = "arm64 or x86_64, matching the zip."
  type        = string
  default     = "arm64"
}
