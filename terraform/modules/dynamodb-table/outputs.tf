output "name" {
  description = "Table name."
  value       = aws_dynamodb_table.this.name
}

output "arn" {
  description = "Table ARN."
  value       = aws_dynamodb_table.this.arn
}

output "hash_key" {
  description = "Partition key attribute."
  value       = aws_dynamodb_table.this.hash_key
}

output "ttl_attribute" {
  description = "TTL attribute."
  value       = var.ttl_attribute
}
