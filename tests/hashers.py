from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 as in production, at a cost that lets tests create hundreds of users."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1
