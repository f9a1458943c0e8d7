variable "name" {
  description = "Name prefix of the distribution, its policies and the origin access control."
  type        = string
}

variable "bucket_name" {
  description = "Globally unique name of the private bucket holding the site's files."
  type        = string
}

variable "site_dir" {
  description = "Folder of the built site (console/build.mjs writes dist/console): every file is uploaded but config.json."
  type        = string
}

variable "config_json" {
  description = "Content of config.json, which the page reads at start (the search function URL)."
  type        = string
}

variable "connect_src" {
  description = "Origins the page may call (Content-Security-Policy connect-src), e.g. the function URLs of the region."
  type        = list(string)
}

variable "price_class" {
  description = "CloudFront price class (PriceClass_100, PriceClass_200, PriceClass_All)."
  type        = string
  default     = "PriceClass_200"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its files (they are rebuilt from the repository)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags of the bucket and the distribution."
  type        = map(string)
  default     = {}
}
