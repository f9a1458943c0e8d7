# The admin console (console/, built into dist/console by `node build.mjs`) as a static site:
# S3 + CloudFront with origin access control and security headers (modules/static-site). Its
# config.json points the page at the search function URL, whose CORS allows the console's origin
# (and console_extra_origins) only.

locals {
  console_dir = coalesce(var.console_dir, "${local.dist_dir}/console")
  console_origins = concat(
    var.console_enabled ? [module.console[0].origin] : [],
    var.console_extra_origins,
  )
}

module "console" {
  source = "./modules/static-site"
  count  = var.console_enabled ? 1 : 0

  name        = "${var.name}-console"
  bucket_name = "${var.name}-console-${local.account_id}-${local.region}"
  site_dir    = local.console_dir
  config_json = jsonencode({ apiUrl = trimsuffix(module.search.function_url, "/") })
  # Function URLs of this region; the exact URL would make a cycle (its CORS names this origin).
  connect_src   = ["https://*.lambda-url.${local.region}.on.aws"]
  price_class   = var.console_price_class
  force_destroy = true
}
