"""Test support: fixtures that bring up the real infrastructure and talk to the real Keycloak."""
