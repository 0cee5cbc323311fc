"""A person's profile (name, email, date of birth), read from and corrected in Keycloak."""
