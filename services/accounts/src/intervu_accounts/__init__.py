"""The accounts service: Profiles, age, policy acceptance, consents, export and deletion of a user's data."""
