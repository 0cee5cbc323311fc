"""Procedural talking-head rendering for the offline AI video interviewer."""
