"""Certification tracking (贯标跟踪): self-assessment, consulting, assessment, the national committee, the certificate's life."""
