"""Consents, one per purpose, each withdrawable at any time, every change kept with its time."""
