"""The feedback service: Delivery and content analysis of answers, scores with evidence, and narrative coaching."""
